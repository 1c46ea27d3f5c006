import { describe, expect, it } from 'vitest';
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
});
