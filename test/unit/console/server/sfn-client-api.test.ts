import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callSfn, fullHistory, sfnClientApi } from '../../../../console/server/sfn-api.js';
import { localClientConfig } from '../../../../runtime/server/credentials.js';

const main = fileURLToPath(new URL('../../runtime/server/fixtures/engine-main.ts', import.meta.url));

/**
 * `tollgate console --aws` reaches Step Functions through the SDK client behind `sfnClientApi`;
 * here the client talks to `tollgate engine` (the AWS JSON protocol), so every operation the
 * console's routes make goes through the real SDK.
 */
describe('sfnClientApi, the console --aws seam, through the AWS SDK', () => {
  let dir: string;
  let child: ChildProcess;
  let client: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-console-sdk-'));
    const dataDir = join(dir, '.tollgate');
    const functions = join(dir, 'functions.json');
    await writeFile(functions, '{}');
    child = spawn(process.execPath, ['--import', 'tsx', main, dataDir, functions], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const endpoint = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`engine exited early (${code})`)));
    });
    client = new SFNClient({ ...localClientConfig(dataDir, endpoint), maxAttempts: 1 });
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'pipeline',
        roleArn: 'arn:aws:iam::123456789012:role/tollgate',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
      }),
    );
    stateMachineArn = machine.stateMachineArn!;
  });

  afterAll(async () => {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });

  it('starts an execution (Deploy to …, Retry) and reads it back in the wire shape', async () => {
    // Arrange
    const sfn = sfnClientApi(client);
    // Act
    const started = await callSfn<{ executionArn: string; startDate: unknown }>(sfn, 'StartExecution', {
      stateMachineArn,
      name: 'run-1',
      input: '{"n":1}',
    });
    let described: { status: string; startDate: unknown } | undefined;
    for (let i = 0; i < 200 && described?.status !== 'SUCCEEDED'; i++)
      described = await callSfn(sfn, 'DescribeExecution', { executionArn: started.executionArn });
    const history = await fullHistory(sfn, started.executionArn);
    const listed = await callSfn<{ executions: Array<{ name: string }> }>(sfn, 'ListExecutions', {
      stateMachineArn,
    });
    // Assert
    expect(started.executionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:run-1`);
    expect(typeof started.startDate).toBe('number');
    expect(described).toMatchObject({ status: 'SUCCEEDED', startDate: expect.any(Number) });
    expect(history.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(listed.executions.map((e) => e.name)).toContain('run-1');
  });

  it('refuses an operation the console never makes, in one line', async () => {
    await expect(callSfn(sfnClientApi(client), 'DeleteStateMachine', { stateMachineArn })).rejects.toThrow(
      /^Step Functions DeleteStateMachine failed: .*the console does not call DeleteStateMachine$/,
    );
  });
});
