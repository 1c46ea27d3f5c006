import type { HistoryEvent } from '../asl/history/history-event.js';
import type { EngineStore, StoreRecord } from '../store/engine-store.js';
import { type CompactionOptions, Compactor, expireClosedExecutions, type LiveState } from './compaction.js';
import type { Checkpoint } from './engine-model.js';
import { type EngineRecord, engineRecord } from './engine-records.js';
import { pushEventRecords } from './event-batches.js';

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

/**
 * A group is written early once it holds this many events, without waiting for the event loop's
 * next turn: a long run of states that never wait (a Pass chain) then has its earlier events
 * encoded and on their way to disk while later states run, so at its end only the last few
 * hundred events are left to encode and fsync, instead of everything since the last turn.
 */
const GROUP_EVENTS = 500;

/** Events recorded since the last record of another kind, per execution, in recorded order. */
type EventSegment = Map<string, { readonly events: HistoryEvent[]; readonly threads: string[] }>;

/**
 * Durable mode: every record goes to the store; the log is compacted as it grows.
 *
 * Group commit in the journal: records and history events are not written one by one but join
 * the next group write, which goes out on the next turn of the event loop (or sooner, once it holds
 * GROUP_EVENTS events), so every transition and every API call of every execution in the meantime
 * shares one store append: one serialisation pass, one frame per execution's events (`evs`) and
 * one fdatasync for the lot (and the store's own group commit merges groups queued behind a write). A caller's promise
 * resolves only once its group is durable, and ExecutionHistory shows an event only then, so
 * nothing acknowledged can be lost. The log keeps the order in which things were recorded: a
 * record of another kind ends the current run of events, and each execution's events stay in
 * order (only events of different executions between two such records may trade places, and no
 * replay depends on that order).
 */
export class StoreJournal implements EngineJournal {
  private readonly compactor: Compactor;
  /** The group being gathered: records in order, then the events since the last of them. */
  private group:
    | {
        readonly records: EngineRecord[];
        events: EventSegment;
        /** Events gathered so far, of every execution (see GROUP_EVENTS). */
        eventCount: number;
        readonly promise: Promise<void>;
        readonly settle: (written: Promise<void>) => void;
      }
    | undefined;

  constructor(
    private readonly store: EngineStore,
    state: LiveState,
    options: Required<CompactionOptions>,
    now: () => number,
  ) {
    // Compaction rebuilds the log from memory, the gathered group included, so the group is queued
    // to the old log first: written there, then replaced, never written again after the new log.
    const flushingStore = {
      compact: (live: readonly StoreRecord[]) => {
        this.flush();
        return store.compact(live);
      },
    };
    this.compactor = new Compactor(flushingStore, state, options, now);
    // When the store's write finishes, the group gathered meanwhile goes at once and joins the next
    // write: left for its turn of the event loop it could arrive just after that write started (the
    // end of a long run did, every time) and wait a whole extra write+fdatasync.
    store.onWriteDone?.(() => this.flush());
  }

  append(records: readonly EngineRecord[]): Promise<void> {
    const group = this.gathering();
    sealEvents(group);
    for (const record of records) group.records.push(record);
    return group.promise;
  }

  event(executionArn: string, event: HistoryEvent, thread: string): Promise<void> {
    const group = this.gathering();
    let pending = group.events.get(executionArn);
    if (pending === undefined) {
      pending = { events: [], threads: [] };
      group.events.set(executionArn, pending);
    }
    pending.events.push(event);
    pending.threads.push(thread);
    if (++group.eventCount >= GROUP_EVENTS) this.flush();
    return group.promise;
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
    // What was recorded before close is written, as the store's own queue would write it.
    this.flush();
    return this.store.close();
  }

  /** The group being gathered, started (and its write scheduled) if there is none. */
  private gathering() {
    if (this.group !== undefined) return this.group;
    let settle!: (written: Promise<void>) => void;
    const promise = new Promise<void>((resolve) => {
      settle = resolve as (written: Promise<void>) => void;
    });
    const group = {
      records: [] as EngineRecord[],
      events: new Map() as EventSegment,
      eventCount: 0,
      promise,
      settle,
    };
    this.group = group;
    setImmediate(() => this.flush());
    return group;
  }

  /** Writes the gathered group, if any, as one store append. */
  private flush(): void {
    const group = this.group;
    if (group === undefined) return;
    this.group = undefined;
    sealEvents(group);
    const written = this.store.append(group.records);
    this.compactor.noteAppended(group.records.length);
    group.settle(written);
    // A failed write rejects every caller's promise; nothing else is left waiting on it here.
    written.catch(() => undefined);
  }
}

/** Ends the group's current run of events: each execution's as `evs` records, in order. */
function sealEvents(group: { readonly records: EngineRecord[]; events: EventSegment }): void {
  if (group.events.size === 0) return;
  for (const [x, { events, threads }] of group.events) pushEventRecords(group.records, x, events, threads);
  group.events = new Map();
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
