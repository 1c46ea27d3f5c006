import type { HistoryEvent } from '../asl/history/history-event.js';
import type { EngineStore, StoreRecord } from '../store/engine-store.js';
import { type CompactionOptions, Compactor, expireClosedExecutions, type LiveState } from './compaction.js';
import type { Checkpoint } from './engine-model.js';
import { type EngineRecord, engineRecord } from './engine-records.js';

/**
 * Where the engine keeps what must survive it. Two adapters: `StoreJournal` writes every record
 * to an EngineStore (durable mode: FileLogStore, or MemoryStore in tests) and acknowledges an event
 * once it is durable; `MemoryJournal` (memory mode, no store) keeps nothing beyond the engine's own
 * maps, so an event is acknowledged the moment it is recorded and nothing is serialised.
 */
export interface EngineJournal {
  /** Resolves once the records are durable. */
  append(records: readonly EngineRecord[]): Promise<void>;
  /**
   * Writes one history event. Returns the write to wait for before the event may be shown, or
   * undefined when it may be shown at once (nothing to wait for).
   */
  event(executionArn: string, event: HistoryEvent, thread: string): Promise<void> | undefined;
  /** Where a redrive continues from, written as the execution ends (see EngineCore.recordEnd). */
  checkpoint(executionArn: string, checkpoint: Checkpoint): void;
  /** What a previous run kept, oldest first. */
  replay(): AsyncIterable<StoreRecord>;
  /** Replay read `records` records; compacts at once when that log is mostly dead weight. */
  afterReplay(records: number): Promise<void>;
  /** Drops executions past their retention and rewrites the log down to what is live. */
  compactNow(): Promise<void>;
  close(): Promise<void>;
}

/** Durable mode: every record goes to the store; the log is compacted as it grows. */
export class StoreJournal implements EngineJournal {
  private readonly compactor: Compactor;

  constructor(
    private readonly store: EngineStore,
    state: LiveState,
    options: Required<CompactionOptions>,
    now: () => number,
  ) {
    this.compactor = new Compactor(store, state, options, now);
  }

  append(records: readonly EngineRecord[]): Promise<void> {
    const written = this.store.append(records);
    this.compactor.noteAppended(records.length);
    return written;
  }

  event(executionArn: string, event: HistoryEvent, thread: string): Promise<void> {
    return this.append([engineRecord.event(executionArn, event, thread)]);
  }

  checkpoint(executionArn: string, checkpoint: Checkpoint): void {
    // Not awaited: it is ordered before the terminal event, which is what readers wait for; a
    // failed write surfaces through that event.
    this.append([engineRecord.checkpoint(executionArn, checkpoint)]).catch(() => undefined);
  }

  replay(): AsyncIterable<StoreRecord> {
    return this.store.replay();
  }

  afterReplay(records: number): Promise<void> {
    return this.compactor.afterReplay(records);
  }

  compactNow(): Promise<void> {
    return this.compactor.compactNow();
  }

  close(): Promise<void> {
    return this.store.close();
  }
}

/**
 * Memory mode: the engine's maps are all there is, as with any in-process emulator. No record is
 * built, serialised or compacted; closed executions still expire after the retention period.
 */
export class MemoryJournal implements EngineJournal {
  constructor(
    private readonly state: LiveState,
    private readonly options: Required<CompactionOptions>,
    private readonly now: () => number,
  ) {}

  append(): Promise<void> {
    return Promise.resolve();
  }

  event(): undefined {
    return undefined;
  }

  checkpoint(): void {}

  async *replay(): AsyncIterable<StoreRecord> {}

  async afterReplay(): Promise<void> {}

  async compactNow(): Promise<void> {
    expireClosedExecutions(this.state, this.now(), this.options.closedRetentionMs);
  }

  async close(): Promise<void> {}
}
