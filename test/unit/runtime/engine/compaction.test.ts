import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

const DAY = 24 * 3600 * 1000;
const PASS_CHAIN = {
  StartAt: 'A',
  States: {
    A: { Type: 'Pass', Next: 'B' },
    B: { Type: 'Pass', Next: 'C' },
    C: { Type: 'Pass', Result: { done: true }, ResultPath: '$.r', End: true },
  },
};
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
const handlers = { notify: () => ({}) };

async function readAll(store: EngineStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

describe('engine log compaction', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-compaction-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function open(
    clock: FakeEngineClock,
    compaction?: { afterRecords?: number; closedRetentionMs?: number },
  ) {
    const harness = new EngineHarness({ handlers, store: await FileLogStore.open(dir), clock, compaction });
    await harness.engine.start();
    return harness;
  }

  it('rewrites the log to fewer records once enough were appended, and a restart shows the same state', async () => {
    // Arrange
    const clock = new FakeEngineClock();
    const first = await open(clock, { afterRecords: 40 });
    const chain = await first.createStateMachine(PASS_CHAIN, 'chain');
    const waiting = await first.createStateMachine(WAIT_FOR_TOKEN, 'waiting');
    const done: string[] = [];
    for (let i = 0; i < 8; i++) done.push(await first.start(chain, { i }));
    for (const arn of done) expect((await first.until(arn, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    const open1 = await first.start(waiting, { w: 1 });
    const token = await first.tokenOf(open1);
    const histories = await Promise.all(done.map((arn) => first.history(arn)));
    const size = (await stat(join(dir, 'engine.log'))).size;

    // Act
    await first.engine.compact();
    const records = await readAll(first.store);
    await first.engine.close();
    const second = await open(new FakeEngineClock(clock.now()));

    // Assert
    expect((await stat(join(dir, 'engine.log'))).size).toBeLessThan(size);
    expect(records.filter((r) => r.t === 'ckpt')).toHaveLength(1); // only the open execution's
    expect(records.filter((r) => r.t === 'ev')).toHaveLength(0); // events come batched as `evs`
    for (const [i, arn] of done.entries()) {
      expect(await second.describe(arn)).toMatchObject({ status: 'SUCCEEDED' });
      expect(await second.history(arn)).toEqual(histories[i]);
    }
    await second.call('SendTaskSuccess', { taskToken: token, output: '{"ok":1}' });
    expect((await second.until(open1, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    await second.engine.close();
  });

  it('compacts on its own once appended records pass the threshold and the log is mostly dead weight', async () => {
    // Arrange: ten executions that expire, then enough new ones to pass the threshold.
    const store = new MemoryStore();
    const clock = new FakeEngineClock();
    const harness = new EngineHarness({
      handlers,
      store,
      clock,
      compaction: { afterRecords: 20, closedRetentionMs: DAY },
    });
    await harness.engine.start();
    const chain = await harness.createStateMachine(PASS_CHAIN, 'chain');
    const old: string[] = [];
    for (let i = 0; i < 10; i++) old.push(await harness.start(chain, { i }));
    for (const arn of old) await harness.until(arn, 'SUCCEEDED');
    clock.advance(2 * DAY);

    // Act
    const recent: string[] = [];
    for (let i = 0; i < 10; i++) recent.push(await harness.start(chain, { i }));
    for (const arn of recent) await harness.until(arn, 'SUCCEEDED');
    await harness.settle();
    const records = await readAll(store);

    // Assert: appends never remove records, so the expired executions' absence means a compaction.
    expect(records.some((r) => old.includes(r.x as string))).toBe(false);
    expect(records.some((r) => r.t === 'evs')).toBe(true);
    const replayed = new EngineHarness({ store, compaction: { afterRecords: 1_000_000 } });
    await replayed.engine.start();
    for (const arn of recent) expect(await replayed.describe(arn)).toMatchObject({ status: 'SUCCEEDED' });
    await replayed.engine.close();
  });

  it('leaves a log of live records alone however many were appended', async () => {
    // Arrange: a real MemoryStore that counts the compactions it is asked for.
    class CountingStore extends MemoryStore {
      compactions = 0;
      override compact(live: readonly StoreRecord[]): Promise<void> {
        this.compactions += 1;
        return super.compact(live);
      }
    }
    const store = new CountingStore();
    const harness = new EngineHarness({ handlers, store, compaction: { afterRecords: 5 } });
    await harness.engine.start();
    const chain = await harness.createStateMachine(PASS_CHAIN, 'chain');

    // Act
    const arns: string[] = [];
    for (let i = 0; i < 10; i++) arns.push(await harness.start(chain, { i }));
    for (const arn of arns) await harness.until(arn, 'SUCCEEDED');
    await harness.settle();
    const records = await readAll(store);

    // Assert: events go out batched per group write, so nothing is dead weight and nothing is
    // rewritten; every event is in the log once.
    expect(store.compactions).toBe(0);
    const events = records.flatMap((r) => (r.t === 'evs' ? (r.e as unknown[]) : r.t === 'ev' ? [r.e] : []));
    expect(events).toHaveLength(10 * 8);
    expect(records.filter((r) => r.t === 'ev')).toHaveLength(0);
    await harness.engine.close();
  });

  it('compacts at start-up when the replayed log is mostly dead weight', async () => {
    // Arrange: five executions that have expired by the restart, and one that has not.
    const clock = new FakeEngineClock();
    const first = await open(clock, { afterRecords: 1_000_000 });
    const chain = await first.createStateMachine(PASS_CHAIN, 'chain');
    const old: string[] = [];
    for (let i = 0; i < 5; i++) old.push(await first.start(chain, { i }));
    for (const arn of old) await first.until(arn, 'SUCCEEDED');
    clock.advance(2 * DAY);
    const recent = await first.start(chain, { recent: true });
    await first.until(recent, 'SUCCEEDED');
    await first.engine.close();
    const before = await countRecords(dir);

    // Act
    const second = await open(new FakeEngineClock(clock.now()), { afterRecords: 10, closedRetentionMs: DAY });
    const after = (await readAll(second.store)).length;

    // Assert
    expect(after).toBeLessThan(before);
    expect(await second.history(recent)).toHaveLength(8);
    await expect(second.call('DescribeExecution', { executionArn: old[0] })).rejects.toMatchObject({
      code: 'ExecutionDoesNotExist',
    });
    await second.engine.close();
  });

  it('keeps a failed execution redrivable from its failed state after compaction and restart', async () => {
    // Arrange
    const clock = new FakeEngineClock();
    let fail = true;
    const harness = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock,
      handlers: {
        flaky: () => {
          if (fail) throw new Error('boom');
          return { ok: true };
        },
      },
    });
    await harness.engine.start();
    const sm = await harness.createStateMachine({
      StartAt: 'First',
      States: {
        First: { Type: 'Pass', Next: 'Call' },
        Call: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:flaky', End: true },
      },
    });
    const exec = await harness.start(sm, { n: 1 });
    await harness.until(exec, 'FAILED');
    await harness.engine.compact();
    await harness.engine.close();
    fail = false;
    const second = new EngineHarness({
      store: await FileLogStore.open(dir),
      clock: new FakeEngineClock(clock.now()),
      handlers: { flaky: () => ({ ok: true }) },
    });
    await second.engine.start();

    // Act
    await second.call('RedriveExecution', { executionArn: exec });
    const described = await second.until(exec, 'SUCCEEDED');

    // Assert
    expect(described.status).toBe('SUCCEEDED');
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(1);
    expect(types).toContain('ExecutionRedriven');
    await second.engine.close();
  });

  it('drops executions closed longer ago than the retention, as AWS does after 90 days', async () => {
    // Arrange
    const clock = new FakeEngineClock();
    const first = await open(clock);
    const chain = await first.createStateMachine(PASS_CHAIN, 'chain');
    const old = await first.start(chain, { old: true });
    await first.until(old, 'SUCCEEDED');
    clock.advance(89 * DAY);
    const recent = await first.start(chain, { recent: true });
    await first.until(recent, 'SUCCEEDED');
    clock.advance(2 * DAY);

    // Act
    await first.engine.compact();
    await first.engine.close();
    const second = await open(new FakeEngineClock(clock.now()));

    // Assert
    await expect(second.call('DescribeExecution', { executionArn: old })).rejects.toMatchObject({
      code: 'ExecutionDoesNotExist',
    });
    expect(await second.describe(recent)).toMatchObject({ status: 'SUCCEEDED' });
    await second.engine.close();
  });

  it('keeps a settled token answering TaskTimedOut after compaction and restart', async () => {
    // Arrange
    const clock = new FakeEngineClock();
    const first = await open(clock);
    const exec = await first.start(await first.createStateMachine(WAIT_FOR_TOKEN, 'waiting'));
    const token = await first.tokenOf(exec);
    await first.call('SendTaskSuccess', { taskToken: token, output: '{}' });
    await first.until(exec, 'SUCCEEDED');
    await first.engine.compact();
    await first.engine.close();
    const second = await open(new FakeEngineClock(clock.now()));

    // Act
    const reuse = second.call('SendTaskSuccess', { taskToken: token, output: '{}' });

    // Assert
    await expect(reuse).rejects.toMatchObject({ code: 'TaskTimedOut' });
    await second.engine.close();
  });

  it('throws a TypeError and opens nothing when afterRecords is not a positive integer', () => {
    // Arrange
    const store = new MemoryStore();
    const make = (afterRecords: number) =>
      createEngine({
        store,
        clock: new FakeEngineClock(),
        lambda: new ObjectLambdaInvoker({}),
        compaction: { afterRecords },
      });

    // Act / Assert
    expect(() => make(0)).toThrow(/compaction.afterRecords must be a positive integer, got 0/);
    expect(() => make(1.5)).toThrow(/compaction.afterRecords must be a positive integer, got 1.5/);
  });

  it('throws a TypeError when closedRetentionMs is negative or not a number', () => {
    // Arrange
    const make = (closedRetentionMs: number) =>
      createEngine({
        store: new MemoryStore(),
        clock: new FakeEngineClock(),
        lambda: new ObjectLambdaInvoker({}),
        compaction: { closedRetentionMs },
      });

    // Act / Assert
    expect(() => make(-1)).toThrow(/closedRetentionMs must be a non-negative number, got -1/);
    expect(() => make(Number.NaN)).toThrow(/closedRetentionMs must be a non-negative number, got NaN/);
  });

  it('rejects compact() before start without touching the store', async () => {
    // Arrange
    const store = new MemoryStore();
    await store.append([{ t: 'sm-del', arn: 'x' }]);
    const harness = new EngineHarness({ store });

    // Act
    const attempt = harness.engine.compact();

    // Assert
    await expect(attempt).rejects.toThrow('compact: the engine is not running (start it first)');
    expect(await readAll(store)).toEqual([{ t: 'sm-del', arn: 'x' }]);
  });
});

async function countRecords(dir: string): Promise<number> {
  const store = await FileLogStore.open(dir);
  try {
    return (await readAll(store)).length;
  } finally {
    await store.close();
  }
}
