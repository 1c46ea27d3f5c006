import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../../../runtime/server/credentials.js';
import { runEngineCommand } from '../../../../runtime/server/engine-command.js';

const main = fileURLToPath(new URL('./fixtures/engine-main.ts', import.meta.url));

function startEngine(dataDir: string, functions: string): Promise<{ child: ChildProcess; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main, dataDir, functions], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match) resolve({ child, endpoint: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`engine exited early (${code}): ${stderr}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function waitForEnd(client: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  for (let i = 0; i < 200; i++) {
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${executionArn} still running`);
}

describe('runEngineCommand', () => {
  let dir: string;
  let dataDir: string;
  let functions: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-engine-'));
    dataDir = join(dir, '.tollgate');
    functions = join(dir, 'functions.json');
    await writeFile(
      join(dir, 'double.mjs'),
      'export const handler = async (event) => ({ doubled: event.n * 2 });\n',
    );
    await writeFile(functions, JSON.stringify({ double: './double.mjs#handler' }));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a Lambda task through the SDK, keeps it across kill -9 and stops cleanly on SIGTERM', async () => {
    // Arrange
    const first = await startEngine(dataDir, functions);
    const client = new SFNClient({ ...localClientConfig(dataDir, first.endpoint), maxAttempts: 1 });
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'doubler',
        roleArn: 'arn:aws:iam::123456789012:role/tollgate',
        definition: JSON.stringify({
          StartAt: 'Double',
          States: {
            Double: {
              Type: 'Task',
              Resource: 'arn:aws:lambda:us-east-1:123456789012:function:double',
              End: true,
            },
          },
        }),
      }),
    );
    // Act
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, name: 'r1', input: '{"n":21}' }),
    );
    const done = await waitForEnd(client, executionArn!);
    first.child.kill('SIGKILL');
    await exited(first.child);
    const second = await startEngine(dataDir, functions);
    const again = await new SFNClient({
      ...localClientConfig(dataDir, second.endpoint),
      maxAttempts: 1,
    }).send(new DescribeExecutionCommand({ executionArn }));
    second.child.kill('SIGTERM');
    const stop = await exited(second.child);
    // Assert
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":42}' });
    expect(again).toMatchObject({ status: 'SUCCEEDED', output: '{"doubled":42}' });
    expect(stop).toEqual({ code: 0, signal: null });
    await expect(stat(join(dataDir, 'engine.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws FunctionMapError and leaves the data directory unlocked when the map is unreadable', async () => {
    // Act
    const attempt = runEngineCommand({
      port: 0,
      dataDir: join(dir, 'other'),
      functions: join(dir, 'missing.json'),
    });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'FunctionMapError' });
    await expect(stat(join(dir, 'other', 'engine.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws ApiServerError when the data directory is empty', async () => {
    // Act
    const attempt = runEngineCommand({ port: 0, dataDir: '' });
    // Assert
    await expect(attempt).rejects.toThrow('--data-dir must be a non-empty path, got ""');
  });
});
