import type { CancelPendingPorts } from '../shared/approvals/cancel-pending.js';
import { type BackoffPolicy, backOff } from '../shared/backoff.js';
import type { WaitingClock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError, LockConflictError, TollgateError } from '../shared/errors.js';
import type { LockTable } from '../shared/ports/lock-table.js';
import {
  EMPTY_STATE,
  enqueueInOrder,
  type GuardCommit,
  type GuardState,
  type Holder,
  startedBefore,
  withOutcome,
} from './guard-state.js';
import { supersedeWaitingHolder } from './supersede-holder.js';

/**
 * concurrency-guard: one run at a time per pipeline.
 *
 * Input:  { action: 'acquire'|'check'|'renew'|'release', executionArn, pipeline, commit }
 * Output: { status: 'ACQUIRED'|'WAITING'|'SUPERSEDED'|'TIMED_OUT'|'RENEWED'|'RELEASED'|'NOT_HOLDER',
 *           position?, holder?, reason?, supersededBy?, tookOverFrom? }
 *
 * The state machine loops Wait → check while WAITING, so no Lambda ever blocks on the lock. Modes:
 * - queued: FIFO; every commit eventually runs (or times out after maxWait, with a reason).
 * - superseded: a newer commit marks every older *waiting* run superseded; the holder keeps going.
 * A holder whose lease lapsed (a crashed run) loses the lock to the next waiter.
 */
export type GuardAction = 'acquire' | 'check' | 'renew' | 'release';

export interface GuardInput {
  readonly action: GuardAction;
  readonly executionArn: string;
  readonly pipeline: string;
  /** Required to acquire or check; a release (e.g. of a run that was stopped) needs none. */
  readonly commit?: GuardCommit;
  /** The execution's start time: the queue runs commits in the order their events arrived. */
  readonly startedAt?: string;
}

export interface GuardResult {
  readonly status:
    | 'ACQUIRED'
    | 'WAITING'
    | 'SUPERSEDED'
    | 'TIMED_OUT'
    | 'RENEWED'
    | 'RELEASED'
    | 'NOT_HOLDER';
  readonly position?: number;
  readonly holder?: { readonly executionArn: string; readonly commit: string };
  readonly reason?: string;
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
  readonly tookOverFrom?: {
    readonly executionArn: string;
    readonly commit: string;
    readonly leaseUntil: string;
  };
}

export class LockLostError extends TollgateError {
  constructor(message: string) {
    super(message);
    this.name = 'Tollgate.LockLost';
  }
}

/** A newer commit's run arrived in superseded mode: this run stops at its next environment. */
export class RunSupersededError extends TollgateError {
  constructor(
    message: string,
    readonly supersededBy: { readonly executionArn: string; readonly commit: string },
  ) {
    super(message);
    this.name = 'Tollgate.Superseded';
  }
}

export interface GuardPorts {
  readonly locks: LockTable;
  /** Decisions read the time from it; lost compare-and-swap races back off through it. */
  readonly clock: WaitingClock;
  readonly config: Pick<TollgateConfig, 'concurrency'>;
  /** Needed in superseded mode, to cancel a holder's pending approvals when a newer commit arrives. */
  readonly approvals?: CancelPendingPorts['approvals'];
  readonly ledger?: CancelPendingPorts['ledger'];
  readonly callback?: CancelPendingPorts['callback'];
}

/**
 * Every run of a burst writes the same record, so most writes lose the race and retry. Retrying at
 * once made them collide again (164 of 200 burst runs failed after 25 immediate retries); backing
 * off with full jitter spreads them out. The budget is the sum of waits asked for, kept well inside
 * the function's 60 s timeout on AWS, so a run only fails here if the table is unusable.
 */
export const GUARD_BACKOFF: BackoffPolicy = { baseMs: 20, capMs: 1_000 };
export const GUARD_BACKOFF_BUDGET_MS = 40_000;

/** How hard a call had to try; the burst bench reports these. */
export interface GuardAttempts {
  readonly retries: number;
  readonly waitedMs: number;
}

export async function runGuard(
  input: GuardInput,
  ports: GuardPorts,
  onAttempts?: (attempts: GuardAttempts) => void,
): Promise<GuardResult> {
  const key = `guard-${input.pipeline}`;
  let waitedMs = 0;
  // Waits asked for and time spent both count: a slow table must not run the function past its timeout.
  const deadline = ports.clock.now().getTime() + GUARD_BACKOFF_BUDGET_MS;
  let call = input;
  let settled = false;
  let first = true;
  for (let attempt = 0; ; attempt++) {
    const record = await ports.locks.get<GuardState>(key);
    const state = record?.value ?? EMPTY_STATE;
    const { next, result, settleMs } = decide(state, call, ports, settled);
    if (next !== state) {
      try {
        await ports.locks.put(key, next, record?.version ?? 0);
      } catch (error) {
        if (!(error instanceof LockConflictError)) throw error;
        if (waitedMs >= GUARD_BACKOFF_BUDGET_MS || ports.clock.now().getTime() >= deadline) {
          throw new LockConflictError(
            `pipeline lock ${key} is contended; gave up after ${attempt + 1} attempts and ${Math.round(waitedMs / 1000)}s of backoff`,
          );
        }
        waitedMs += await backOff(attempt, GUARD_BACKOFF, ports.clock);
        continue;
      }
    }
    // Only the arrival itself (what the first decision wrote) may displace a waiting holder.
    if (first && result.status !== 'SUPERSEDED') await supersedeWaitingHolder(state, call, ports);
    first = false;
    if (settleMs !== undefined) {
      // Queued, not yet granted: let runs that started earlier but lost the race arrive first.
      await ports.clock.sleep(settleMs);
      settled = true;
      call = { ...input, action: 'check' };
      continue;
    }
    onAttempts?.({ retries: attempt, waitedMs });
    return result;
  }
}

/**
 * A free lock is not handed to a run the instant it asks: the first of a burst's writes to win
 * the record is random, not the earliest commit. A run that started less than this long ago queues
 * and waits out the rest of it (once, through the clock), so an earlier run still on its way is
 * sorted ahead of it. A lone commit pays at most this once.
 */
export const GRANT_SETTLE_MS = 1_000;

function decide(
  state: GuardState,
  input: GuardInput,
  ports: GuardPorts,
  settled: boolean,
): { next: GuardState; result: GuardResult; settleMs?: number } {
  const now = ports.clock.now();
  const { lease, maxWait, mode } = ports.config.concurrency;
  const arn = input.executionArn;
  const summary = (h: { executionArn: string; commit: GuardCommit }) => ({
    executionArn: h.executionArn,
    commit: h.commit.commit,
  });

  if (input.action === 'release') {
    if (state.holder?.executionArn === arn)
      return { next: { ...state, holder: undefined }, result: { status: 'RELEASED' } };
    const queue = state.queue.filter((w) => w.executionArn !== arn);
    const next = queue.length === state.queue.length ? state : { ...state, queue };
    return { next, result: { status: 'NOT_HOLDER' } };
  }

  if (input.action === 'renew') {
    if (state.holder?.executionArn !== arn) {
      throw new LockLostError(
        `this run no longer holds the ${input.pipeline} lock (its lease of ${lease}s lapsed and ${state.holder ? `run ${state.holder.executionArn}` : 'nobody'} holds it now)`,
      );
    }
    const newer = state.holder.supersededBy;
    if (newer) {
      throw new RunSupersededError(
        `commit ${newer.commit.slice(0, 7)} arrived while this run (commit ${state.holder.commit.commit.slice(0, 7)}) was under way; superseded mode runs only the newest commit, so this run stops here instead of going on (or asking for approval)`,
        newer,
      );
    }
    const holder: Holder = {
      ...state.holder,
      leaseUntil: new Date(now.getTime() + lease * 1000).toISOString(),
    };
    return { next: { ...state, holder }, result: { status: 'RENEWED' } };
  }

  // acquire / check
  const commit = input.commit;
  if (!commit) throw new InvalidInputError(`concurrency-guard: ${input.action} needs the run's commit`);
  if (state.holder?.executionArn === arn) return { next: state, result: { status: 'ACQUIRED' } };
  const decided = state.outcomes[arn];
  if (decided) {
    return {
      next: state,
      result: { status: decided.status, reason: decided.reason, supersededBy: decided.supersededBy },
    };
  }

  let next = state;
  const queued = next.queue.some((w) => w.executionArn === arn);
  // A `check` from a run we have no trace of (e.g. its record was pruned) enqueues it like an
  // `acquire` rather than stranding it: nothing is dropped silently.
  if (!queued) {
    const waiter = {
      executionArn: arn,
      commit,
      enqueuedAt: now.toISOString(),
      ...(input.startedAt ? { startedAt: input.startedAt } : {}),
    };
    if (mode === 'superseded') {
      // A run whose write lost the race to a newer commit's arrives late: it is the one superseded.
      const newer =
        next.queue.find((w) => startedBefore(waiter, w)) ??
        (next.holder && startedBefore(waiter, next.holder) ? next.holder : undefined);
      if (newer) {
        const outcome = {
          status: 'SUPERSEDED' as const,
          reason: `commit ${newer.commit.commit.slice(0, 7)} was already ${newer === next.holder ? 'running' : 'waiting'} when the older commit ${commit.commit.slice(0, 7)} arrived; superseded mode runs only the newest waiting commit`,
          supersededBy: { executionArn: newer.executionArn, commit: newer.commit.commit },
          at: now.toISOString(),
        };
        return {
          next: withOutcome(next, arn, outcome),
          result: { status: 'SUPERSEDED', reason: outcome.reason, supersededBy: outcome.supersededBy },
        };
      }
      for (const older of next.queue) {
        next = withOutcome(next, older.executionArn, {
          status: 'SUPERSEDED',
          reason: `commit ${commit.commit.slice(0, 7)} arrived while commit ${older.commit.commit.slice(0, 7)} was waiting; superseded mode runs only the newest waiting commit`,
          supersededBy: { executionArn: arn, commit: commit.commit },
          at: now.toISOString(),
        });
      }
      next = { ...next, queue: [] };
      // The holder goes on only as far as its current environment: it stops at its next lock
      // renewal, which every environment (and so every approval gate) starts with.
      if (next.holder && next.holder.executionArn !== arn) {
        next = {
          ...next,
          holder: { ...next.holder, supersededBy: { executionArn: arn, commit: commit.commit } },
        };
      }
    }
    next = { ...next, queue: enqueueInOrder(next.queue, waiter) };
  }

  const me = next.queue.find((w) => w.executionArn === arn)!;
  const waitedSeconds = (now.getTime() - new Date(me.enqueuedAt).getTime()) / 1000;
  const holder = next.holder;
  const leaseLapsed = holder !== undefined && new Date(holder.leaseUntil).getTime() <= now.getTime();
  const free = holder === undefined || leaseLapsed;

  if (free && next.queue[0]?.executionArn === arn) {
    const settleUntil = me.startedAt ? Date.parse(me.startedAt) + GRANT_SETTLE_MS : 0;
    if (input.action === 'acquire' && !settled && now.getTime() < settleUntil) {
      return { next, result: { status: 'WAITING', position: 1 }, settleMs: settleUntil - now.getTime() };
    }
    const granted: Holder = {
      executionArn: arn,
      commit,
      acquiredAt: now.toISOString(),
      leaseUntil: new Date(now.getTime() + lease * 1000).toISOString(),
      ...(me.startedAt ? { startedAt: me.startedAt } : {}),
    };
    return {
      next: { ...next, holder: granted, queue: next.queue.slice(1) },
      result: {
        status: 'ACQUIRED',
        ...(leaseLapsed && holder
          ? { tookOverFrom: { ...summary(holder), leaseUntil: holder.leaseUntil } }
          : {}),
      },
    };
  }

  if (waitedSeconds >= maxWait) {
    const reason = `waited ${Math.round(waitedSeconds)}s for the ${input.pipeline} lock (concurrency.maxWait is ${maxWait}s)${holder ? `; held by ${holder.executionArn} (commit ${holder.commit.commit.slice(0, 7)})` : ''}`;
    const timedOut = withOutcome({ ...next, queue: next.queue.filter((w) => w.executionArn !== arn) }, arn, {
      status: 'TIMED_OUT',
      reason,
      at: now.toISOString(),
    });
    return { next: timedOut, result: { status: 'TIMED_OUT', reason } };
  }

  return {
    next,
    result: {
      status: 'WAITING',
      position: next.queue.findIndex((w) => w.executionArn === arn) + 1,
      ...(holder ? { holder: summary(holder) } : {}),
    },
  };
}
