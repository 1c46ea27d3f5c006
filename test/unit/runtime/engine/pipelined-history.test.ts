import { describe, expect, it } from 'vitest';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

/** How many history events a record carries (`ev`: one; `evs`: a batch of one execution's). */
function eventCount(record: StoreRecord): number {
  if (record.t === 'ev') return 1;
  if (record.t === 'evs') return (record.e as unknown[]).length;
  return 0;
}

/** A real MemoryStore whose history-event writes complete only when the test releases them. */
class HeldStore implements EngineStore {
  private readonly inner = new MemoryStore();
  private held: Array<() => void> = [];
  private heldEvents = 0;
  holding = false;

  append(records: readonly StoreRecord[]): Promise<void> {
    const written = this.inner.append(records);
    const events = records.reduce((n, r) => n + eventCount(r), 0);
    if (!this.holding || events === 0) return written;
    this.heldEvents += events;
    return new Promise((resolve, reject) => this.held.push(() => written.then(resolve, reject)));
  }

  release(): void {
    const held = this.held;
    this.held = [];
    this.heldEvents = 0;
    for (const done of held) done();
  }

  /** Events queued in writes that have not completed. */
  get heldCount(): number {
    return this.heldEvents;
  }

  replay(): AsyncIterable<StoreRecord> {
    return this.inner.replay();
  }

  compact(live: readonly StoreRecord[]): Promise<void> {
    return this.inner.compact(live);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('pipelined execution history', () => {
  it('shows no event and calls no Lambda until the events before the call are durable', async () => {
    // Arrange
    const store = new HeldStore();
    const calls: unknown[] = [];
    const harness = new EngineHarness({ store, handlers: { work: (e) => calls.push(e) && { ok: true } } });
    await harness.engine.start();
    const sm = await harness.createStateMachine({
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Next: 'Work' },
        Work: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work', End: true },
      },
    });
    const seen: string[] = [];
    harness.engine.onEvent((_arn, event) => seen.push(event.type));
    store.holding = true;

    // Act
    const exec = await harness.start(sm, { job: 1 });
    await harness.settle();
    const whileHeld = { history: await harness.history(exec), calls: calls.length, seen: [...seen] };
    store.holding = false;
    store.release();
    const described = await harness.until(exec, 'SUCCEEDED');

    // Assert
    expect(whileHeld).toEqual({ history: [], calls: 0, seen: [] });
    expect(described.status).toBe('SUCCEEDED');
    expect(calls).toEqual([{ job: 1 }]);
    expect(seen).toEqual((await harness.history(exec)).map((e) => e.type));
  });

  it('runs Pass states ahead of their writes, without waiting for each one', async () => {
    // Arrange
    const store = new HeldStore();
    const harness = new EngineHarness({ store });
    await harness.engine.start();
    const sm = await harness.createStateMachine({
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Pass', End: true },
      },
    });
    store.holding = true;

    // Act
    const exec = await harness.start(sm);
    await harness.settle();
    const queued = store.heldCount;
    const statusWhileHeld = (await harness.describe(exec)).status;
    store.holding = false;
    store.release();

    // Assert: started + 3 × (entered, exited) + the terminal event queued at once (the store keeps
    // their order, and the end shows only once its event is durable).
    expect(queued).toBe(8);
    expect(statusWhileHeld).toBe('RUNNING');
    expect((await harness.until(exec, 'SUCCEEDED')).status).toBe('SUCCEEDED');
  });
});
