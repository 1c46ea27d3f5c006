import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

const callback = (heartbeat?: number) => ({
  StartAt: 'Approve',
  States: {
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
      ...(heartbeat ? { HeartbeatSeconds: heartbeat } : {}),
      End: true,
    },
  },
});

describe('task tokens', () => {
  let h: EngineHarness;
  let notified: unknown[];

  beforeEach(async () => {
    notified = [];
    h = new EngineHarness({ handlers: { notify: (event) => notified.push(event) } });
    await h.engine.start();
  });

  afterEach(async () => {
    await h.engine.close();
  });

  it('returns the SendTaskSuccess output as the task result when the token succeeds', async () => {
    // Arrange
    const exec = await h.start(await h.createStateMachine(callback()));
    const token = await h.tokenOf(exec);

    // Act
    await h.call('SendTaskSuccess', { taskToken: token, output: '{"approved":true}' });

    // Assert
    const described = await h.describe(exec);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ approved: true });
    expect(notified).toHaveLength(1);
    const types = (await h.history(exec)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSubmitted',
      'TaskSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('fails the execution with the sent error and cause when the token fails', async () => {
    // Arrange
    const exec = await h.start(await h.createStateMachine(callback()));
    const token = await h.tokenOf(exec);

    // Act
    await h.call('SendTaskFailure', { taskToken: token, error: 'Rejected', cause: 'not today' });

    // Assert
    const described = await h.describe(exec);
    expect(described).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'not today' });
    expect((await h.history(exec)).map((e) => e.type)).toContain('TaskFailed');
  });

  it('times the task out with States.HeartbeatTimeout when no heartbeat arrives in time', async () => {
    // Arrange
    const exec = await h.start(await h.createStateMachine(callback(10)));
    const token = await h.tokenOf(exec);
    h.clock.advance(9_000);
    await h.call('SendTaskHeartbeat', { taskToken: token });
    h.clock.advance(9_000);
    expect((await h.describe(exec)).status).toBe('RUNNING');

    // Act
    h.clock.advance(1_001);

    // Assert
    const described = await h.describe(exec);
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect((await h.history(exec)).map((e) => e.type)).toContain('TaskTimedOut');
    await expect(h.call('SendTaskSuccess', { taskToken: token, output: '{}' })).rejects.toMatchObject({
      code: 'TaskTimedOut',
    });
  });

  it('rejects a token used twice with TaskTimedOut and changes nothing', async () => {
    // Arrange
    const exec = await h.start(await h.createStateMachine(callback()));
    const token = await h.tokenOf(exec);
    await h.call('SendTaskSuccess', { taskToken: token, output: '{"n":1}' });
    await h.settle();
    const before = await h.history(exec);

    // Act
    const second = h.call('SendTaskSuccess', { taskToken: token, output: '{"n":2}' });

    // Assert
    await expect(second).rejects.toMatchObject({ code: 'TaskTimedOut' });
    expect(await h.history(exec)).toEqual(before);
    expect(JSON.parse((await h.describe(exec)).output!)).toEqual({ n: 1 });
  });

  it('rejects an unknown well-formed token with TaskDoesNotExist', async () => {
    // Arrange
    const unknown = `tgt1${'A'.repeat(43)}`;

    // Act
    const sent = h.call('SendTaskSuccess', { taskToken: unknown, output: '{}' });

    // Assert
    await expect(sent).rejects.toMatchObject({ code: 'TaskDoesNotExist' });
  });

  it('rejects a malformed token with InvalidToken', async () => {
    // Act
    const sent = h.call('SendTaskFailure', { taskToken: 'not-a-token' });

    // Assert
    await expect(sent).rejects.toMatchObject({ code: 'InvalidToken' });
  });

  it('rejects output that is not JSON with InvalidOutput and keeps the task waiting', async () => {
    // Arrange
    const exec = await h.start(await h.createStateMachine(callback()));
    const token = await h.tokenOf(exec);

    // Act
    const sent = h.call('SendTaskSuccess', { taskToken: token, output: '{nope' });

    // Assert
    await expect(sent).rejects.toMatchObject({ code: 'InvalidOutput' });
    expect((await h.describe(exec)).status).toBe('RUNNING');
    await h.call('SendTaskSuccess', { taskToken: token, output: '1' });
    expect((await h.describe(exec)).status).toBe('SUCCEEDED');
  });
});
