import type { EngineStore, StoreRecord } from './engine-store.js';
import { StoreClosedError } from './errors.js';
import { parseRecord, serializeRecords } from './record-codec.js';

/**
 * The in-memory engine store: same contract and same validation as FileLogStore, minus durability.
 * Records are kept serialised so replay hands back fresh copies, exactly as a file replay would;
 * a caller mutating a record after append can never change what the store holds.
 */
export class MemoryStore implements EngineStore {
  private records: string[] = [];
  private closed = false;

  async append(records: readonly StoreRecord[]): Promise<void> {
    this.assertOpen('append');
    const serialized = serializeRecords(records, 'append');
    for (const { text } of serialized) this.records.push(text);
  }

  async *replay(): AsyncIterable<StoreRecord> {
    this.assertOpen('replay');
    // A snapshot: records appended while the caller iterates belong to the next replay.
    const snapshot = this.records.slice();
    for (const text of snapshot) yield parseRecord(text);
  }

  async compact(live: readonly StoreRecord[]): Promise<void> {
    this.assertOpen('compact');
    const serialized = serializeRecords(live, 'compact');
    this.records = serialized.map(({ text }) => text);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new StoreClosedError(`${operation}: the memory store is closed`);
  }
}
