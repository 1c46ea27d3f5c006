import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  InvalidDefinition,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
  TestStateCommand,
  ValidateStateMachineDefinitionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { localClientConfig } from '../../../../runtime/server/credentials.js';

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

describe('ValidateStateMachineDefinition and TestState through the AWS SDK against tollgate engine', () => {
  let dir: string;
  let engine: { child: ChildProcess; endpoint: string };
  let client: SFNClient;
  let dataDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-teststate-'));
    dataDir = join(dir, '.tollgate');
    const functions = join(dir, 'functions.json');
    await writeFile(join(dir, 'double.mjs'), 'export const handler = async (e) => ({ doubled: e.n * 2 });\n');
    await writeFile(functions, JSON.stringify({ double: './double.mjs#handler' }));
    engine = await startEngine(dataDir, functions);
    client = new SFNClient({ ...localClientConfig(dataDir, engine.endpoint), maxAttempts: 1 });
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    if (engine?.child.exitCode === null) {
      const exited = new Promise((r) => engine.child.once('exit', r));
      engine.child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('answers ValidateStateMachineDefinition with AWS codes and locations', async () => {
    // Arrange
    const good = { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } };
    const bad = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'Missing' } } };

    // Act
    const ok = await client.send(
      new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(good) }),
    );
    const fail = await client.send(
      new ValidateStateMachineDefinitionCommand({ definition: JSON.stringify(bad) }),
    );

    // Assert
    expect(ok).toMatchObject({ result: 'OK', diagnostics: [] });
    expect(fail.result).toBe('FAIL');
    expect(fail.diagnostics).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        code: 'MISSING_TRANSITION_TARGET',
        location: '/States/A/Next',
      }),
    ]);
  });

  it('runs one Lambda Task state with TestState at DEBUG', async () => {
    // Act
    const out = await client.send(
      new TestStateCommand({
        definition: JSON.stringify({
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:double',
          ResultPath: '$.out',
          Next: 'After',
        }),
        input: '{"n":4}',
        inspectionLevel: 'DEBUG',
      }),
    );

    // Assert
    expect(out.status).toBe('SUCCEEDED');
    expect(out.nextState).toBe('After');
    expect(JSON.parse(out.output ?? '{}')).toEqual({ n: 4, out: { doubled: 8 } });
    expect(out.inspectionData).toMatchObject({ input: '{"n":4}', result: '{"doubled":8}' });
  });

  it('refuses an invalid state with the SDK error InvalidDefinition', async () => {
    // Act
    const call = client.send(new TestStateCommand({ definition: '{"Type":"Nope","End":true}' }));

    // Assert
    await expect(call).rejects.toBeInstanceOf(InvalidDefinition);
  });

  it('runs a distributed Map over an object in the data directory and answers DescribeMapRun and ListMapRuns', async () => {
    // Arrange
    await new DirArtifactStore(join(dataDir, 'objects')).putImmutable(
      'items/list.json',
      '[{"n":1},{"n":2},{"n":3}]',
    );
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'fan-out',
        roleArn: 'arn:aws:iam::123456789012:role/tollgate',
        definition: JSON.stringify({
          StartAt: 'Each',
          States: {
            Each: {
              Type: 'Map',
              Label: 'each',
              ItemReader: {
                Resource: 'arn:aws:states:::s3:getObject',
                ReaderConfig: { InputType: 'JSON' },
                Parameters: { Bucket: 'items', Key: 'list.json' },
              },
              ItemProcessor: {
                ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
                StartAt: 'Double',
                States: {
                  Double: {
                    Type: 'Task',
                    Resource: 'arn:aws:lambda:us-east-1:123456789012:function:double',
                    End: true,
                  },
                },
              },
              End: true,
            },
          },
        }),
      }),
    );
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn }),
    );

    // Act
    let status = 'RUNNING';
    let output: string | undefined;
    for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
      const described = await client.send(new DescribeExecutionCommand({ executionArn }));
      status = described.status ?? 'RUNNING';
      output = described.output;
      if (status === 'RUNNING') await new Promise((r) => setTimeout(r, 25));
    }
    const { mapRuns } = await client.send(new ListMapRunsCommand({ executionArn }));
    const mapRun = await client.send(new DescribeMapRunCommand({ mapRunArn: mapRuns?.[0]?.mapRunArn }));

    // Assert
    expect(status).toBe('SUCCEEDED');
    expect(JSON.parse(output ?? '[]')).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
    expect(mapRuns).toHaveLength(1);
    expect(mapRun).toMatchObject({
      executionArn,
      status: 'SUCCEEDED',
      itemCounts: { total: 3, succeeded: 3 },
      executionCounts: { total: 3, succeeded: 3 },
    });
    expect(mapRun.startDate).toBeInstanceOf(Date);
  });
});
