import type { CancelPendingPorts } from '../shared/approvals/cancel-pending.js';
import type { BackoffPolicy } from '../shared/backoff.js';
import type { WaitingClock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import type { LockTable } from '../shared/ports/lock-table.js';
import type { TaskCallback } from '../shared/ports/task-callback.js';

// What runGuard and its steps (queue-step, release-renew, supersede-holder, lock-handoff) share: kept
// apart from runGuard so the steps depend on it and not on the loop that calls them.

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
  /** WAITING: how long WaitForLock sleeps before looking by itself (pollInterval, or what is left of maxWait). */
  readonly wakeAfterSeconds?: number;
}

export interface GuardPorts {
  readonly locks: LockTable;
  /** Decisions read the time from it; lost compare-and-swap races back off through it. */
  readonly clock: WaitingClock;
  readonly config: Pick<TollgateConfig, 'concurrency'>;
  /** Wakes waiting runs (SendTaskSuccess) and asks whether a run still runs (DescribeExecution). */
  readonly callback: TaskCallback;
  /** Needed in superseded mode, to cancel a holder's pending approvals when a newer commit arrives. */
  readonly approvals?: CancelPendingPorts['approvals'];
  readonly ledger?: CancelPendingPorts['ledger'];
}

/**
 * Only the lock record is contended (registrations are records of their own), but a burst's grants
 * and releases still race for it. Backing off with full jitter spreads them out. The budget is the
 * sum of waits asked for, kept well inside the function's 60 s timeout on AWS.
 */
export const GUARD_BACKOFF: BackoffPolicy = { baseMs: 20, capMs: 1_000 };
export const GUARD_BACKOFF_BUDGET_MS = 40_000;

/**
 * A free lock is not handed to a run the instant it asks: the first of a burst's runs to reach the
 * guard is random, not the earliest commit. A run that started less than this long ago waits out
 * the rest of it (once, through the clock) before taking a free lock, so an earlier run still on
 * its way registers first and is granted first. A lone commit pays at most this once.
 */
export const GRANT_SETTLE_MS = 1_000;

/** What one pass decided: a result, or a wait before deciding again (the settle time). */
export type StepOutcome = { readonly result: GuardResult } | { readonly settleMs: number } | 'again';
