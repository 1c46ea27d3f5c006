import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LambdaFunctionNotFoundError } from '../../../../../runtime/asl/task/lambda-invoker.js';
import {
  FunctionMapError,
  FunctionMapLambdaInvoker,
} from '../../../../../runtime/engine/lambda/function-map-lambda-invoker.js';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

describe('FunctionMapLambdaInvoker', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-fnmap-'));
    await writeFile(
      join(dir, 'handlers.mjs'),
      [
        'export const echo = async (event, context) => ({ event, name: context.functionName });',
        "export const boom = async () => { const e = new Error('nope'); e.name = 'Tollgate.Broken'; throw e; };",
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'map.json'),
      JSON.stringify({
        echo: './handlers.mjs#echo',
        boom: './handlers.mjs#boom',
        bad: './handlers.mjs#missing',
      }),
    );
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the mapped handler with a Lambda-like event and context', async () => {
    // Arrange
    const invoker = await FunctionMapLambdaInvoker.fromFile(join(dir, 'map.json'));

    // Act
    const out = await invoker.invoke(ARN('echo'), { a: 1 });

    // Assert
    expect(out).toEqual({ payload: { event: { a: 1 }, name: 'echo' } });
  });

  it('turns a thrown error into errorType, errorMessage and trace', async () => {
    // Arrange
    const invoker = await FunctionMapLambdaInvoker.fromFile(join(dir, 'map.json'));

    // Act
    const out = await invoker.invoke(ARN('boom'), {});

    // Assert
    expect(out).toMatchObject({ error: { errorType: 'Tollgate.Broken', errorMessage: 'nope' } });
    expect(('error' in out && out.error.trace?.length) || 0).toBeGreaterThan(0);
  });

  it('reports a missing export as Runtime.ImportModuleError', async () => {
    // Arrange
    const invoker = await FunctionMapLambdaInvoker.fromFile(join(dir, 'map.json'));

    // Act
    const out = await invoker.invoke(ARN('bad'), {});

    // Assert
    expect(out).toMatchObject({ error: { errorType: 'Runtime.ImportModuleError' } });
  });

  it('throws LambdaFunctionNotFoundError for a function not in the map', async () => {
    // Arrange
    const invoker = await FunctionMapLambdaInvoker.fromFile(join(dir, 'map.json'));

    // Act / Assert
    await expect(invoker.invoke(ARN('other'), {})).rejects.toBeInstanceOf(LambdaFunctionNotFoundError);
  });

  it('refuses a map that is not an object of handler specs', async () => {
    // Arrange
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ f: 3 }));

    // Act / Assert
    await expect(FunctionMapLambdaInvoker.fromFile(join(dir, 'bad.json'))).rejects.toBeInstanceOf(
      FunctionMapError,
    );
    await expect(FunctionMapLambdaInvoker.fromFile(join(dir, 'absent.json'))).rejects.toBeInstanceOf(
      FunctionMapError,
    );
  });
});
