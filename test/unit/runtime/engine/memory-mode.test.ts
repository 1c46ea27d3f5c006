import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness, ROLE } from './engine-harness.js';

const FLAKY = 'arn:aws:lambda:us-east-1:123456789012:function:flaky';

/** Counts to 3 with a Choice loop, then calls `flaky`, which fails until told otherwise. */
const DEFINITION = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { i: 0 }, Assign: { seen: 'init' }, Next: 'Check' },
    Check: {
      Type: 'Choice',
      Choices: [{ Variable: '$.i', NumericLessThan: 3, Next: 'Inc' }],
      Default: 'Call',
    },
    Inc: { Type: 'Pass', Parameters: { 'i.$': 'States.MathAdd($.i, 1)' }, Next: 'Check' },
    Call: { Type: 'Task', Resource: FLAKY, End: true },
  },
};

async function call<T = Record<string, unknown>>(engine: Engine, op: string, body: unknown): Promise<T> {
  return (await engine.service.dispatch(op, body)) as T;
}

/**
 * The events with Node's own frames dropped from a failed function's stack trace: which turn of the
 * event loop called the function (a store write completing, the next group write) shows there,
 * and is not part of the history the two modes must agree on.
 */
function withoutNodeFrames(events: readonly unknown[]): unknown {
  return JSON.parse(JSON.stringify(events).replace(/,\\" {4}at [^"\\]*\(node:internal\/[^"\\]*\)\\"/g, ''));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

describe('engine memory mode (no store)', () => {
  it('records the same history as the durable path and redrives from the failed state', async () => {
    // Arrange
    let healthy = false;
    const handlers = { flaky: (e: unknown) => (healthy ? e : Promise.reject(new Error('down'))) };
    const engine = createEngine({ clock: new FakeEngineClock(), lambda: new ObjectLambdaInvoker(handlers) });
    const durable = new EngineHarness({ handlers });
    await engine.start();
    await durable.engine.start();
    const { stateMachineArn } = await call<{ stateMachineArn: string }>(engine, 'CreateStateMachine', {
      name: 'sm',
      definition: JSON.stringify(DEFINITION),
      roleArn: ROLE,
    });
    const durableSm = await durable.createStateMachine(DEFINITION);

    // Act
    const { executionArn } = await call<{ executionArn: string }>(engine, 'StartExecution', {
      stateMachineArn,
      name: 'run',
    });
    const durableExec = await durable.start(durableSm, {}, 'run');
    await settle();
    const failed = await call(engine, 'DescribeExecution', { executionArn });
    const history = await call<{ events: unknown[] }>(engine, 'GetExecutionHistory', { executionArn });
    await durable.until(durableExec, 'FAILED');
    healthy = true;
    await call(engine, 'RedriveExecution', { executionArn });
    await settle();
    const redriven = await call(engine, 'DescribeExecution', { executionArn });
    const after = await call<{ events: Array<{ type: string }> }>(engine, 'GetExecutionHistory', {
      executionArn,
    });

    // Assert
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Error' });
    expect(withoutNodeFrames(history.events)).toEqual(withoutNodeFrames(await durable.history(durableExec)));
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', output: '{"i":3}', redriveCount: 1 });
    const sinceRedrive = after.events.slice(after.events.findIndex((e) => e.type === 'ExecutionRedriven'));
    expect(sinceRedrive.map((e) => e.type)).toEqual([
      'ExecutionRedriven',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    await engine.close();
    await durable.engine.close();
  });
});

describe('engine durable mode checkpoints', () => {
  it('writes the checkpoint once, as the execution fails, and a restart can still redrive from it', async () => {
    // Arrange
    let healthy = false;
    const handlers = { flaky: (e: unknown) => (healthy ? e : Promise.reject(new Error('down'))) };
    const store = new MemoryStore();
    const first = new EngineHarness({ handlers, store });
    await first.engine.start();
    const sm = await first.createStateMachine(DEFINITION);

    // Act
    const exec = await first.start(sm, {}, 'run');
    await first.until(exec, 'FAILED');
    const records: StoreRecord[] = [];
    for await (const r of store.replay()) records.push(r);
    await first.engine.close();
    const restarted = new MemoryStore();
    await restarted.append(records);
    const second = new EngineHarness({ handlers, store: restarted });
    await second.engine.start();
    healthy = true;
    await second.call('RedriveExecution', { executionArn: exec });
    const redriven = await second.until(exec, 'SUCCEEDED');

    // Assert: 9 transitions, one checkpoint, written before the terminal event.
    const kinds = records.flatMap((r) =>
      r.t === 'ev' || r.t === 'evs' ? [r.e as { type: string }].flat().map((e) => e.type) : [r.t],
    );
    expect(kinds.filter((k) => k === 'ckpt')).toHaveLength(1);
    expect(kinds.slice(-3)).toEqual(['ckpt', 'ExecutionFailed', 'exec-status']);
    expect(records.find((r) => r.t === 'ckpt')).toMatchObject({ stateName: 'Call', inputText: '{"i":3}' });
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', output: '{"i":3}' });
    await second.engine.close();
  });
});
