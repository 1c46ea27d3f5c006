import { afterEach, describe, expect, it } from 'vitest';
import type { IntegrationRequest } from '../../../../runtime/asl/task/task-integration.js';
import { FakeEngineClock, sleepUntil } from '../../../../runtime/engine/clock.js';
import { createEngine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { ROLE } from './engine-harness.js';

async function settle() {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

describe('pluggable integrations and execution limits', () => {
  const clock = new FakeEngineClock(0);
  const requests: IntegrationRequest[] = [];
  const engine = createEngine({
    store: new MemoryStore(),
    clock,
    lambda: new ObjectLambdaInvoker({}),
    integrations: {
      'arn:aws:states:::codebuild:startBuild': {
        async run(request) {
          requests.push(request);
          // A .sync job completes later; the engine must wait for it.
          await sleepUntil(clock, clock.now() + 30_000, request.signal);
          if ((request.parameters as { ProjectName: string }).ProjectName === 'broken') {
            throw Object.assign(new Error('Build failed'), { name: 'CodeBuild.BuildFailed' });
          }
          return { Build: { BuildStatus: 'SUCCEEDED' } };
        },
      },
    },
  });
  const call = (op: string, body: unknown) =>
    engine.service.dispatch(op, body) as Promise<Record<string, unknown>>;
  let n = 0;

  async function run(definition: unknown, input: unknown = {}) {
    if (n === 0) await engine.start();
    const { stateMachineArn } = await call('CreateStateMachine', {
      name: `sm${++n}`,
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    });
    const { executionArn } = await call('StartExecution', { stateMachineArn, input: JSON.stringify(input) });
    return executionArn as string;
  }

  afterEach(() => {
    requests.length = 0;
  });

  it('runs a .sync task through its registered integration and waits for the job', async () => {
    // Arrange
    const exec = await run({
      StartAt: 'Build',
      States: {
        Build: {
          Type: 'Task',
          Resource: 'arn:aws:states:::codebuild:startBuild.sync',
          Parameters: { ProjectName: 'app' },
          End: true,
        },
      },
    });
    await settle();
    expect((await call('DescribeExecution', { executionArn: exec })).status).toBe('RUNNING');

    // Act
    clock.advance(30_000);
    await settle();

    // Assert
    const described = await call('DescribeExecution', { executionArn: exec });
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output as string)).toEqual({ Build: { BuildStatus: 'SUCCEEDED' } });
    expect(requests[0]).toMatchObject({
      pattern: 'RUN_JOB',
      parameters: { ProjectName: 'app' },
      stateName: 'Build',
    });
  });

  it("surfaces the integration's error name so Catch can match it", async () => {
    // Arrange
    const exec = await run({
      StartAt: 'Build',
      States: {
        Build: {
          Type: 'Task',
          Resource: 'arn:aws:states:::codebuild:startBuild.sync',
          Parameters: { ProjectName: 'broken' },
          Catch: [{ ErrorEquals: ['CodeBuild.BuildFailed'], Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', End: true },
      },
    });
    await settle();

    // Act
    clock.advance(30_000);
    await settle();

    // Assert
    const described = await call('DescribeExecution', { executionArn: exec });
    expect(JSON.parse(described.output as string)).toEqual({
      Error: 'CodeBuild.BuildFailed',
      Cause: 'Build failed',
    });
  });

  it('fails the execution once its history would pass 25,000 events', async () => {
    // Arrange: a Pass state that loops forever.
    const exec = await run({ StartAt: 'Loop', States: { Loop: { Type: 'Pass', Next: 'Loop' } } });

    // Act
    let described: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) {
      await settle();
      described = await call('DescribeExecution', { executionArn: exec });
      if (described.status !== 'RUNNING') break;
    }

    // Assert
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    const last = (await call('GetExecutionHistory', {
      executionArn: exec,
      reverseOrder: true,
      maxResults: 1,
    })) as {
      events: Array<{ id: number; type: string }>;
    };
    expect(last.events[0]).toMatchObject({ id: 25_001, type: 'ExecutionFailed' });
  });
});
