import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { validateCompactionOptions } from '../../../../runtime/engine/compaction.js';
import { StoreJournal } from '../../../../runtime/engine/engine-journal.js';
import { MapRunRegistry } from '../../../../runtime/engine/map-run-registry.js';
import { TaskTokenRegistry } from '../../../../runtime/engine/task-token-registry.js';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

/** A real MemoryStore that remembers the history events each append carried, by type. */
class AppendLog extends MemoryStore {
  readonly appends: string[][] = [];

  override append(records: readonly StoreRecord[]): Promise<void> {
    const types: string[] = [];
    for (const record of records) {
      if (record.t === 'evs') for (const e of record.e as Array<{ type: string }>) types.push(e.type);
      else types.push(record.t);
    }
    this.appends.push(types);
    return super.append(records);
  }
}

/** An AppendLog whose writes finish when the test says so, as FileLogStore's do when its fsync returns. */
class HeldWrites extends AppendLog {
  private listener: (() => void) | undefined;

  onWriteDone(listener: () => void): void {
    this.listener = listener;
  }

  finishWrite(): void {
    this.listener?.();
  }
}

function passChain(length: number) {
  const States: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    States[`S${i}`] = i === length - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` };
  }
  return { StartAt: 'S0', States };
}

async function runChain(length: number): Promise<{ store: AppendLog; events: number; status: string }> {
  const store = new AppendLog();
  const harness = new EngineHarness({ store });
  await harness.engine.start();
  const sm = await harness.createStateMachine(passChain(length));
  store.appends.length = 0;
  const exec = await harness.start(sm);
  const { status } = await harness.until(exec, 'SUCCEEDED');
  let events = 0;
  let nextToken: string | undefined;
  do {
    const page = await harness.call<{ events: unknown[]; nextToken?: string }>('GetExecutionHistory', {
      executionArn: exec,
      maxResults: 1000,
      nextToken,
    });
    events += page.events.length;
    nextToken = page.nextToken;
  } while (nextToken);
  return { store, events, status };
}

describe('the durable journal’s group writes', () => {
  it('hands a long run of inline states to the store in writes of at most 500 events', async () => {
    // Arrange + Act: 600 Pass states run inline (no turn of the event loop before 1,000).
    const { store, events, status } = await runChain(600);

    // Assert
    const sizes = store.appends.map(
      (types) => types.filter((t) => t !== 'exec' && t !== 'exec-status').length,
    );
    expect(status).toBe('SUCCEEDED');
    expect(events).toBe(2 + 2 * 600);
    expect(Math.max(...sizes)).toBe(500);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(events);
  });

  it('writes the end of a chain of exactly 1,000 inline states with its last state’s events', async () => {
    // Arrange + Act: the interpreter lets the event loop turn after every 1,000 inline states.
    const { store, status } = await runChain(1000);

    // Assert: no turn after the last state, so the end joins the write of the last state's events.
    const last = store.appends[store.appends.length - 1];
    expect(status).toBe('SUCCEEDED');
    expect(last.slice(-3)).toEqual(['PassStateExited', 'ExecutionSucceeded', 'exec-status']);
  });

  it('hands its gathered group to the store as soon as the store’s write finishes, not on the next turn', async () => {
    // Arrange: a journal gathering one event, its turn of the event loop not yet come.
    const store = new HeldWrites();
    const clock = new FakeEngineClock('2026-01-01T00:00:00.000Z');
    const live = {
      stateMachines: new Map(),
      executions: new Map(),
      tokens: new TaskTokenRegistry(clock, async () => undefined),
      mapRuns: new MapRunRegistry(),
    };
    const journal = new StoreJournal(store, live, validateCompactionOptions(undefined), () => clock.now());
    const written = journal.event(
      'arn:x',
      { id: 1, previousEventId: 0, type: 'PassStateEntered', timestamp: 0 },
      '',
    );
    const gathered = store.appends.length;

    // Act: the store's write in flight finishes.
    store.finishWrite();

    // Assert: the group went to the store there and then, and is durable with that write.
    expect(gathered).toBe(0);
    expect(store.appends).toEqual([['PassStateEntered']]);
    await written;
    await journal.close();
  });
});
