import { describe, expect, it } from 'vitest';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:work';
const EXEC = 'arn:aws:states:us-east-1:123456789012:execution:sm:first';

/**
 * A disk whose fsyncs do not return while `holding`: appends wait, in order, and reach the real
 * MemoryStore underneath (the durable log) only on `release`, the way FileLogStore acknowledges
 * a write only once it and everything before it is durable.
 */
class SlowDiskStore implements EngineStore {
  readonly durable = new MemoryStore();
  readonly queued: StoreRecord[][] = [];
  private readonly waiting: Array<() => Promise<void>> = [];
  holding = false;

  append(records: readonly StoreRecord[]): Promise<void> {
    const copy = records.map((r) => JSON.parse(JSON.stringify(r)) as StoreRecord);
    if (!this.holding && this.waiting.length === 0) return this.durable.append(copy);
    this.queued.push(copy);
    return new Promise((resolve, reject) =>
      this.waiting.push(() => this.durable.append(copy).then(resolve, reject)),
    );
  }

  async release(): Promise<void> {
    this.holding = false;
    while (this.waiting.length > 0) await this.waiting.shift()!();
  }

  /** The history events handed to the store but not yet durable. */
  queuedEventTypes(): string[] {
    return this.queued
      .flat()
      .flatMap((r) =>
        r.t === 'evs' ? (r.e as Array<{ type: string }>) : r.t === 'ev' ? [r.e as { type: string }] : [],
      )
      .map((e) => e.type);
  }

  replay(): AsyncIterable<StoreRecord> {
    return this.durable.replay();
  }

  compact(live: readonly StoreRecord[]): Promise<void> {
    return this.durable.compact(live);
  }

  close(): Promise<void> {
    return this.durable.close();
  }
}

/** A MemoryStore that refuses the next append carrying StartExecution's record. */
class FailingStartStore extends MemoryStore {
  failNextStart = true;

  override append(records: readonly StoreRecord[]): Promise<void> {
    if (this.failNextStart && records.some((r) => r.t === 'exec')) {
      this.failNextStart = false;
      return Promise.reject(new Error('disk gone'));
    }
    return super.append(records);
  }
}

const DEFINITION = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Next: 'Work' },
    Work: { Type: 'Task', Resource: FN, End: true },
  },
};

async function errorName(pending: Promise<unknown>): Promise<string> {
  try {
    await pending;
    return 'no error';
  } catch (error) {
    return (error as Error).name;
  }
}

describe('StartExecution in durable mode', () => {
  it('runs the first states while its record is being written, and shows nothing of the run before the record is durable', async () => {
    // Arrange
    const store = new SlowDiskStore();
    const calls: unknown[] = [];
    const harness = new EngineHarness({ store, handlers: { work: (e) => calls.push(e) && { ok: true } } });
    await harness.engine.start();
    const sm = await harness.createStateMachine(DEFINITION);
    const seen: string[] = [];
    harness.engine.onEvent((_arn, event) => seen.push(event.type));
    store.holding = true;

    // Act
    let answered = false;
    const started = harness.start(sm, { job: 1 }, 'first').then((arn) => {
      answered = true;
      return arn;
    });
    const repeated = harness.start(sm, { job: 1 }, 'first');
    await harness.settle();
    const whileHeld = {
      answered,
      ranAhead: store.queuedEventTypes(),
      describe: await errorName(harness.describe(EXEC)),
      history: await errorName(harness.history(EXEC)),
      listed: (await harness.call<{ executions: unknown[] }>('ListExecutions', { stateMachineArn: sm }))
        .executions,
      stop: await errorName(harness.call('StopExecution', { executionArn: EXEC })),
      seen: [...seen],
      calls: calls.length,
    };
    await store.release();

    // Assert: the run went ahead of its unwritten start as far as the Lambda call, which waits for
    // every event before it to be durable; no call answered, no API showed the execution, no
    // listener heard of it and the Lambda was not called.
    expect(whileHeld).toEqual({
      answered: false,
      ranAhead: [
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        'TaskStateEntered',
        'LambdaFunctionScheduled',
        'LambdaFunctionStarted',
      ],
      describe: 'ExecutionDoesNotExist',
      history: 'ExecutionDoesNotExist',
      listed: [],
      stop: 'ExecutionDoesNotExist',
      seen: [],
      calls: 0,
    });
    expect(await started).toBe(EXEC);
    expect(await repeated).toBe(EXEC);
    expect((await harness.until(EXEC, 'SUCCEEDED')).status).toBe('SUCCEEDED');
    expect(calls).toEqual([{ job: 1 }]);
  });

  it('leaves no trace of the run when the engine stops before its start is durable', async () => {
    // Arrange: the run has gone ahead of its unwritten start, then the process dies.
    const store = new SlowDiskStore();
    const harness = new EngineHarness({ store, handlers: { work: () => ({ ok: true }) } });
    await harness.engine.start();
    const sm = await harness.createStateMachine(DEFINITION);
    store.holding = true;
    void harness.start(sm, {}, 'first').catch(() => undefined);
    await harness.settle();
    const ranAhead = store.queuedEventTypes().length;

    // Act: a new engine over what was durable when it died.
    const restarted = new EngineHarness({ store: store.durable, handlers: { work: () => ({ ok: true }) } });
    await restarted.engine.start();

    // Assert
    expect(ranAhead).toBeGreaterThan(0);
    const listed = await restarted.call<{ executions: unknown[] }>('ListExecutions', { stateMachineArn: sm });
    expect(listed.executions).toEqual([]);
    expect(await errorName(restarted.history(EXEC))).toBe('ExecutionDoesNotExist');
    const kept: string[] = [];
    for await (const record of store.durable.replay()) kept.push(record.t);
    expect(kept).toEqual(['sm']);
  });

  it('stops the run, writes nothing of it and frees the name when its record cannot be written', async () => {
    // Arrange
    const store = new FailingStartStore();
    const calls: unknown[] = [];
    const harness = new EngineHarness({ store, handlers: { work: (e) => calls.push(e) && { ok: true } } });
    await harness.engine.start();
    const sm = await harness.createStateMachine(DEFINITION);

    // Act
    const failed = await harness.start(sm, {}, 'first').then(
      () => 'started',
      (error: Error) => error.message,
    );
    await harness.settle();
    const kept: string[] = [];
    for await (const record of store.replay()) kept.push(record.t);
    const again = await harness.start(sm, {}, 'first');

    // Assert
    expect(failed).toBe('disk gone');
    expect(kept).toEqual(['sm']);
    expect(calls).toEqual([]);
    expect(again).toBe(EXEC);
    expect((await harness.until(EXEC, 'SUCCEEDED')).status).toBe('SUCCEEDED');
  });
});
