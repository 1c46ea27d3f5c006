import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import type { EngineStore } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';
import { EngineHarness } from './engine-harness.js';

const T0 = '2026-01-01T00:00:00.000Z';

/**
 * A "crash" here abandons the first engine without closing it (its fake clock is never moved
 * again, so nothing of it runs) and opens a second engine on the same data directory.
 */
describe('engine recovery from the durable log', () => {
  let dir: string;
  let first: EngineHarness | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-engine-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function crashAndRestart(
    calls: Record<string, (e: unknown) => unknown> = {},
  ): Promise<EngineHarness> {
    // The file store's directory lock belongs to the crashed engine; release it as the OS would.
    await (first!.store as FileLogStore).close();
    const clock = new FakeEngineClock(first!.clock.now());
    const second = new EngineHarness({ handlers: calls, store: await FileLogStore.open(dir), clock });
    await second.engine.start();
    return second;
  }

  it('fires a Wait at its original time after a restart', async () => {
    // Arrange
    first = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
    });
    const exec = await first.start(sm, { a: 1 });
    await first.untilEvent(exec, 'WaitStateEntered');
    first.clock.advance(30_000);

    // Act
    const second = await crashAndRestart();
    second.clock.advance(29_000);
    const before = await second.describe(exec);
    second.clock.advance(1_000);
    const after = await second.until(exec, 'SUCCEEDED');

    // Assert
    expect(before.status).toBe('RUNNING');
    expect(after.status).toBe('SUCCEEDED');
    expect(JSON.parse(after.output!)).toEqual({ a: 1 });
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await second.engine.close();
  });

  it('keeps a pending task token valid across a restart', async () => {
    // Arrange
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Approve',
      States: {
        Approve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
          End: true,
        },
      },
    });
    const exec = await first.start(sm);
    const token = await first.tokenOf(exec);

    // Act
    const second = await crashAndRestart({ notify: () => ({}) });
    await second.settle();
    await second.call('SendTaskSuccess', { taskToken: token, output: '{"ok":true}' });

    // Assert
    const described = await second.until(exec, 'SUCCEEDED');
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ ok: true });
    await second.engine.close();
  });

  it('invokes an in-flight task again after a restart (at-least-once), recording its events once', async () => {
    // Arrange: the first engine's function never returns, as if the process died mid-call.
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { work: () => new Promise(() => {}) },
    });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Work',
      States: {
        Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work', End: true },
      },
    });
    const exec = await first.start(sm, { job: 7 });
    await first.untilEvent(exec, 'LambdaFunctionStarted');
    const calls: unknown[] = [];

    // Act
    const second = await crashAndRestart({ work: (event) => calls.push(event) && { done: true } });

    // Assert
    const described = await second.until(exec, 'SUCCEEDED');
    expect(calls).toEqual([{ job: 7 }]);
    expect(described.status).toBe('SUCCEEDED');
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    await second.engine.close();
  });

  it('restores finished executions with their status, output and history', async () => {
    // Arrange
    first = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'P',
      States: { P: { Type: 'Pass', Result: 5, End: true } },
    });
    const exec = await first.start(sm);
    expect((await first.until(exec, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    const original = await first.history(exec);

    // Act
    const second = await crashAndRestart();

    // Assert
    expect(await second.describe(exec)).toMatchObject({ status: 'SUCCEEDED', output: '5' });
    expect(await second.history(exec)).toEqual(original);
    await second.engine.close();
  });

  it('records nothing when the engine closes cleanly during a Wait, which then fires after restart', async () => {
    // Arrange
    first = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 10, End: true } },
    });
    const exec = await first.start(sm);
    await first.untilEvent(exec, 'WaitStateEntered');

    // Act
    await first.engine.close();
    const second = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await second.engine.start();
    const afterRestart = (await second.history(exec)).map((e) => e.type);
    await second.settle();
    second.clock.advance(10_000);

    // Assert
    expect(afterRestart).toEqual(['ExecutionStarted', 'WaitStateEntered']);
    expect((await second.until(exec, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    await second.engine.close();
  });

  it('delivers a SendTaskSuccess that arrives right after a restart, before the task has resumed', async () => {
    // Arrange
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const exec = await first.start(await first.createStateMachine(WAIT_FOR_TOKEN));
    const token = await first.tokenOf(exec);
    await (first.store as FileLogStore).close();
    const second = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await second.engine.start();

    // Act
    await second.call('SendTaskSuccess', { taskToken: token, output: '{"early":true}' });

    // Assert
    const described = await second.until(exec, 'SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ early: true });
    await expect(second.call('SendTaskSuccess', { taskToken: token, output: '{}' })).rejects.toMatchObject({
      code: 'TaskTimedOut',
    });
    await second.engine.close();
  });

  it('keeps an acknowledged SendTaskFailure when the process dies before the task recorded it', async () => {
    // Arrange: a store that stops writing right after the token-done record, as a kill would.
    const inner = await FileLogStore.open(dir);
    let cut = false;
    const dying: EngineStore = {
      append: (records) => {
        if (cut) return new Promise(() => {});
        if (records.some((r) => r.t === 'token-done')) cut = true;
        return inner.append(records);
      },
      replay: () => inner.replay(),
      compact: (live) => inner.compact(live),
      close: () => inner.close(),
    };
    first = new EngineHarness({
      store: dying,
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const exec = await first.start(await first.createStateMachine(WAIT_FOR_TOKEN_CAUGHT));
    const token = await first.tokenOf(exec);
    await first.call('SendTaskFailure', { taskToken: token, error: 'Rejected', cause: 'by bob' });
    await inner.close();

    // Act
    const second = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await second.engine.start();

    // Assert
    const described = await second.until(exec, 'SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ Error: 'Rejected', Cause: 'by bob' });
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types.filter((t) => t === 'TaskFailed')).toHaveLength(1);
    await second.engine.close();
  });
  it('does not run a state again when the process died between its Exited event and the next step', async () => {
    // Arrange: the log stops right after B's Exited event, before the checkpoint for C.
    const inner = await FileLogStore.open(dir);
    let cut = false;
    const dying: EngineStore = {
      append: (records) => {
        if (cut) return new Promise(() => {});
        const exited = records.some(
          (r) => (r.e as { type?: string } | undefined)?.type === 'PassStateExited',
        );
        if (exited && JSON.stringify(records).includes('"name":"B"')) cut = true;
        return inner.append(records);
      },
      replay: () => inner.replay(),
      compact: (live) => inner.compact(live),
      close: () => inner.close(),
    };
    first = new EngineHarness({ store: dying, clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Pass', Result: 'b', ResultPath: '$.b', Assign: { seen: 'yes' }, Next: 'C' },
        C: { Type: 'Pass', Parameters: { 'b.$': '$.b', 'seen.$': '$seen' }, End: true },
      },
    });
    const exec = await first.start(sm, {});
    await first.settle();
    await inner.close();

    // Act
    const second = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await second.engine.start();

    // Assert
    const described = await second.until(exec, 'SUCCEEDED');
    expect(JSON.parse(described.output!)).toEqual({ b: 'b', seen: 'yes' });
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await second.engine.close();
  });

  it('finishes without re-running the last state when it died after the End state exited', async () => {
    // Arrange
    const inner = await FileLogStore.open(dir);
    let cut = false;
    const dying: EngineStore = {
      append: (records) => {
        if (cut) return new Promise(() => {});
        if (records.some((r) => (r.e as { type?: string } | undefined)?.type === 'PassStateExited'))
          cut = true;
        return inner.append(records);
      },
      replay: () => inner.replay(),
      compact: (live) => inner.compact(live),
      close: () => inner.close(),
    };
    first = new EngineHarness({ store: dying, clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Only',
      States: { Only: { Type: 'Pass', Result: 7, End: true } },
    });
    const exec = await first.start(sm, {});
    await first.settle();
    await inner.close();

    // Act
    const second = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await second.engine.start();

    // Assert
    expect(await second.until(exec, 'SUCCEEDED')).toMatchObject({ status: 'SUCCEEDED', output: '7' });
    expect((await second.history(exec)).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    await second.engine.close();
  });
  it('closes at once right after a restart while resumed tasks wait on tokens, and the tokens still work', async () => {
    // Arrange
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const exec = await first.start(await first.createStateMachine(WAIT_FOR_TOKEN));
    const token = await first.tokenOf(exec);
    const second = await crashAndRestart({ notify: () => ({}) });

    // Act
    await second.engine.close();
    const third = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await third.engine.start();
    await third.call('SendTaskSuccess', { taskToken: token, output: '{"later":1}' });

    // Assert
    expect(JSON.parse((await third.until(exec, 'SUCCEEDED')).output!)).toEqual({ later: 1 });
    await third.engine.close();
  });
  it('keeps the logging and tracing configuration of a state machine across a restart', async () => {
    // Arrange
    first = new EngineHarness({ store: await FileLogStore.open(dir), clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const created = await first.call<{ stateMachineArn: string }>('CreateStateMachine', {
      name: 'logged',
      roleArn: 'arn:aws:iam::123456789012:role/test-role',
      definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
      loggingConfiguration: { level: 'ALL', includeExecutionData: true },
      tracingConfiguration: { enabled: true },
    });

    // Act
    const second = await crashAndRestart();
    const described = await second.call('DescribeStateMachine', { stateMachineArn: created.stateMachineArn });

    // Assert
    expect(described).toMatchObject({
      loggingConfiguration: { level: 'ALL', includeExecutionData: true },
      tracingConfiguration: { enabled: true },
    });
    await second.engine.close();
  });

  it('accepts a heartbeat for a restored token before its task has resumed', async () => {
    // Arrange
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const exec = await first.start(await first.createStateMachine(WAIT_FOR_TOKEN));
    const token = await first.tokenOf(exec);
    const second = await crashAndRestart({ notify: () => ({}) });

    // Act
    const beat = await second.call('SendTaskHeartbeat', { taskToken: token });
    await second.settle();
    await second.call('SendTaskSuccess', { taskToken: token, output: '{}' });

    // Assert
    expect(beat).toEqual({});
    expect((await second.until(exec, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    await second.engine.close();
  });
  it('times out a token task at its original deadline after a restart', async () => {
    // Arrange
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify: () => ({}) },
    });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Approve',
      States: { Approve: { ...WAIT_FOR_TOKEN.States.Approve, TimeoutSeconds: 100 } },
    });
    const exec = await first.start(sm);
    await first.tokenOf(exec);
    first.clock.advance(60_000);

    // Act
    const second = await crashAndRestart({ notify: () => ({}) });
    await second.settle();
    second.clock.advance(39_000);
    const before = await second.describe(exec);
    second.clock.advance(1_000);
    const after = await second.until(exec, 'FAILED');

    // Assert
    expect(before.status).toBe('RUNNING');
    expect(after).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    await second.engine.close();
  });
  it('keeps the token of a Map iteration valid across a restart without sending its request again', async () => {
    // Arrange
    const requests: unknown[] = [];
    const notify = (event: unknown) => requests.push(event) && {};
    first = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(T0),
      handlers: { notify },
    });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: { StartAt: 'Approve', States: { Approve: WAIT_FOR_TOKEN.States.Approve } },
          End: true,
        },
      },
    });
    const exec = await first.start(sm, { items: [1] });
    const token = await first.tokenOf(exec);

    // Act
    const second = await crashAndRestart({ notify });
    await second.settle();
    const scheduled = (await second.history(exec)).filter((e) => e.type === 'TaskScheduled');
    await second.call('SendTaskSuccess', { taskToken: token, output: '"approved"' });

    // Assert
    expect(scheduled).toHaveLength(1);
    expect(requests).toHaveLength(1);
    expect(JSON.parse((await second.until(exec, 'SUCCEEDED')).output!)).toEqual(['approved']);
    await second.engine.close();
  });
});

const WAIT_FOR_TOKEN = {
  StartAt: 'Approve',
  States: {
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

const WAIT_FOR_TOKEN_CAUGHT = {
  StartAt: 'Approve',
  States: {
    Approve: {
      ...WAIT_FOR_TOKEN.States.Approve,
      End: undefined,
      Next: 'Ok',
      Catch: [{ ErrorEquals: ['Rejected'], Next: 'Rejected' }],
    },
    Ok: { Type: 'Succeed' },
    Rejected: { Type: 'Pass', End: true },
  },
};
