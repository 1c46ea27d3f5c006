import type { EngineStore } from '../store/engine-store.js';
import {
  type ExecutionRecord,
  ExecutionStatus,
  isTerminal,
  type StateMachineRecord,
  type StateMachineVersion,
} from './engine-model.js';
import { type EngineRecord, engineRecord } from './engine-records.js';
import { pushEventRecords } from './event-batches.js';
import type { MapRunRegistry } from './map-run-registry.js';
import type { TaskTokenRegistry } from './task-token-registry.js';

/** AWS keeps a closed Standard execution (description and history) for 90 days after it closes. */
const CLOSED_RETENTION_MS = 90 * 24 * 3600 * 1000;

export interface CompactionOptions {
  /**
   * Compact once this many records were appended since the last compaction (and the log holds at
   * least twice what is live). @default 100_000
   */
  readonly afterRecords?: number;
  /** How long a closed execution stays queryable. @default 90 days, as on AWS */
  readonly closedRetentionMs?: number;
}

export interface LiveState {
  readonly stateMachines: ReadonlyMap<string, StateMachineRecord>;
  readonly executions: Map<string, ExecutionRecord>;
  readonly tokens: TaskTokenRegistry;
  readonly mapRuns: MapRunRegistry;
}

export function validateCompactionOptions(
  options: CompactionOptions | undefined,
): Required<CompactionOptions> {
  const afterRecords = options?.afterRecords ?? 100_000;
  const closedRetentionMs = options?.closedRetentionMs ?? CLOSED_RETENTION_MS;
  if (!Number.isSafeInteger(afterRecords) || afterRecords < 1) {
    throw new TypeError(
      `createEngine: compaction.afterRecords must be a positive integer, got ${afterRecords}`,
    );
  }
  if (!Number.isFinite(closedRetentionMs) || closedRetentionMs < 0) {
    throw new TypeError(
      `createEngine: compaction.closedRetentionMs must be a non-negative number, got ${closedRetentionMs}`,
    );
  }
  return { afterRecords, closedRetentionMs };
}

/**
 * Drops executions that closed more than the retention ago, from memory and from the token
 * registry's memory of settled tokens, so what the API shows matches what a restart would show.
 */
export function expireClosedExecutions(state: LiveState, now: number, retentionMs: number): void {
  const expired = new Set<string>();
  for (const exec of state.executions.values()) {
    if (isTerminal(exec.status) && exec.stopDate !== undefined && now - exec.stopDate > retentionMs) {
      expired.add(exec.executionArn);
    }
  }
  for (const arn of expired) state.executions.delete(arn);
  if (expired.size > 0) {
    state.tokens.forgetExecutions(expired);
    state.mapRuns.forgetExecutions(expired);
  }
}

/**
 * The records that rebuild exactly the current state: must be built in one synchronous step and
 * handed to `compact` in the same tick, so every append queued before it is reflected in it and
 * every append queued after it lands after the compacted log.
 */
function liveRecords(state: LiveState): EngineRecord[] {
  const out: EngineRecord[] = [];
  for (const sm of state.stateMachines.values()) {
    out.push(engineRecord.stateMachine(sm));
    if (sm.deleting) out.push(engineRecord.stateMachineDeleted(sm.arn));
  }
  // After every state machine's record, so an execution on its current version can name it.
  for (const exec of state.executions.values()) {
    pushExecution(out, exec, state.stateMachines.get(exec.stateMachineArn)?.current);
  }
  const tokens = state.tokens.snapshot();
  for (const token of tokens.live) {
    if (state.executions.get(token.executionArn)?.status === ExecutionStatus.Running) {
      out.push(engineRecord.token(token));
    }
  }
  for (const { token, record, outcome } of tokens.finished) {
    const running = record && state.executions.get(record.executionArn)?.status === ExecutionStatus.Running;
    if (running) {
      // The outcome still matters: the task may not have recorded it yet (see recovery.ts).
      out.push(
        engineRecord.token(record),
        engineRecord.tokenDone(token, { x: record.executionArn, outcome }),
      );
    } else {
      out.push(engineRecord.tokenDone(token));
    }
  }
  return out;
}

function pushExecution(
  out: EngineRecord[],
  exec: ExecutionRecord,
  version: StateMachineVersion | undefined,
): void {
  const x = exec.executionArn;
  out.push(engineRecord.executionStarted(exec, version));
  if (exec.history.events.length > 0) pushEventRecords(out, x, exec.history.events, exec.history.threads);
  // Redrive continues from the checkpoint; a succeeded execution needs none.
  if (exec.checkpoint && exec.status !== ExecutionStatus.Succeeded) {
    out.push(engineRecord.checkpoint(x, exec.checkpoint));
  }
  if (exec.redriveCount > 0 && exec.redriveDate !== undefined) {
    out.push(engineRecord.redrive(x, exec.redriveCount, exec.redriveDate, exec.redriveFrom));
  }
  if (isTerminal(exec.status)) {
    out.push(engineRecord.status(exec));
  }
}

/**
 * Decides when to compact: counts appended records and compacts once the log has grown by
 * `afterRecords` since the last compaction and holds at least twice what is live, so a large live
 * set is not rewritten over and over.
 */
export class Compactor {
  private appendedSinceCompaction = 0;
  private logRecords = 0;
  private running: Promise<void> | null = null;
  private compactions = 0;

  constructor(
    private readonly store: Pick<EngineStore, 'compact'>,
    private readonly state: LiveState,
    private readonly options: Required<CompactionOptions>,
    private readonly now: () => number,
  ) {}

  /** How many compactions ran since start. */
  get count(): number {
    return this.compactions;
  }

  /** The store holds `records` after replay; compacts at once if that is mostly dead weight. */
  async afterReplay(records: number): Promise<void> {
    this.logRecords = records;
    this.appendedSinceCompaction = records;
    await this.maybeCompact();
  }

  noteAppended(records: number): void {
    this.appendedSinceCompaction += records;
    this.logRecords += records;
    if (this.appendedSinceCompaction >= this.options.afterRecords && !this.running) {
      void this.maybeCompact().catch((err) => {
        // A failed compaction leaves the old log in place, which is still complete.
        console.error(`tollgate engine: compaction failed: ${(err as Error).message}`);
      });
    }
  }

  /** Compacts now, whatever the counters say (tests and shutdown). */
  compactNow(): Promise<void> {
    expireClosedExecutions(this.state, this.now(), this.options.closedRetentionMs);
    const live = liveRecords(this.state);
    return this.write(live);
  }

  private maybeCompact(): Promise<void> {
    if (this.running) return this.running;
    if (this.appendedSinceCompaction < this.options.afterRecords) return Promise.resolve();
    expireClosedExecutions(this.state, this.now(), this.options.closedRetentionMs);
    const live = liveRecords(this.state);
    if (this.logRecords < 2 * live.length) {
      // Mostly live: wait for another full `afterRecords` before looking again.
      this.appendedSinceCompaction = 0;
      return Promise.resolve();
    }
    return this.write(live);
  }

  private write(live: EngineRecord[]): Promise<void> {
    this.appendedSinceCompaction = 0;
    const before = this.logRecords;
    this.logRecords = live.length;
    const done = this.store.compact(live).then(
      () => {
        this.compactions += 1;
      },
      (err: unknown) => {
        // The old log is still in place, with everything appended meanwhile on top of it.
        this.logRecords += before - live.length;
        throw err;
      },
    );
    this.running = done.then(
      () => {
        this.running = null;
      },
      () => {
        this.running = null;
      },
    );
    return done;
  }
}
