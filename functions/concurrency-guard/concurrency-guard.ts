import type { CancelPendingPorts } from '../shared/approvals/cancel-pending.js';
import { type BackoffPolicy, backOff } from '../shared/backoff.js';
import type { WaitingClock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError, LockConflictError, TollgateError } from '../shared/errors.js';
import type { LockTable } from '../shared/ports/lock-table.js';
import type { TaskCallback } from '../shared/ports/task-callback.js';
import type { GuardCommit } from './guard-state.js';
import { queueStep } from './queue-step.js';
import { releaseLock, renewLock } from './release-renew.js';

/**
 * concurrency-guard: one run at a time per pipeline.
 *
 * Input:  { action: 'acquire'|'check'|'wait'|'renew'|'release', executionArn, pipeline, commit,
 *           startedAt?, taskToken? (wait) }
 * Output: { status: 'ACQUIRED'|'WAITING'|'SUPERSEDED'|'TIMED_OUT'|'RENEWED'|'RELEASED'|'NOT_HOLDER',
 *           position?, holder?, reason?, supersededBy?, tookOverFrom?, wakeAfterSeconds? }
 *
 * A run that cannot have the lock registers as a waiter (AcquireLock), then sleeps on a task token
 * (WaitForLock, `.waitForTaskToken`): it costs the same few history events however long it waits.
 * Whoever frees the lock hands it to the first waiter in commit order and wakes it (SendTaskSuccess).
 * `wait` stores the token only while the lock is still held as it was read (one conditional write),
 * and answers at once through the token when it is not, so no wake-up can be lost to a release that
 * ran in between. A sleeping run also looks by itself every `concurrency.pollInterval` (CheckLock),
 * the bound on how long a wake-up lost some other way (a crashed release) can delay it.
 * Modes:
 * - queued: commit order; every commit eventually runs (or times out after maxWait, with a reason).
 * - superseded: a newer commit marks every older *waiting* run superseded; the holder keeps going
 *   to its next environment.
 * The lease: a holder whose lease lapsed is not evicted on time alone. The next guard call asks Step
 * Functions whether its run still runs: one that does (e.g. waiting at an approval gate) keeps the
 * lock with a fresh lease; one that ended (and whose end the run-end rule missed) loses it.
 */
export type GuardAction = 'acquire' | 'check' | 'wait' | 'renew' | 'release';

export interface GuardInput {
  readonly action: GuardAction;
  readonly executionArn: string;
  readonly pipeline: string;
  /** Required to acquire, check or wait; a release (e.g. of a run that was stopped) needs none. */
  readonly commit?: GuardCommit;
  /** The execution's start time: the queue runs commits in the order their events arrived. */
  readonly startedAt?: string;
  /** `wait` only: the WaitForLock task's token, sent back when the run may go on. */
  readonly taskToken?: string;
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
  /** WAITING: how long WaitForLock sleeps before looking by itself (pollInterval, or what is left of maxWait). */
  readonly wakeAfterSeconds?: number;
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

/** How hard a call had to try; the burst bench reports these. */
export interface GuardAttempts {
  readonly retries: number;
  readonly waitedMs: number;
}

/** What one pass decided: a result, or a wait before deciding again (the settle time). */
export type StepOutcome = { readonly result: GuardResult } | { readonly settleMs: number } | 'again';

export async function runGuard(
  input: GuardInput,
  ports: GuardPorts,
  onAttempts?: (attempts: GuardAttempts) => void,
): Promise<GuardResult> {
  const needsCommit = input.action === 'acquire' || input.action === 'check' || input.action === 'wait';
  if (needsCommit && !input.commit)
    throw new InvalidInputError(`concurrency-guard: ${input.action} needs the run's commit`);
  if (input.action === 'wait' && !input.taskToken)
    throw new InvalidInputError('concurrency-guard: wait needs the task token of its WaitForLock task');
  // Waits asked for and time spent both count: a slow table must not run the function past its timeout.
  const deadline = ports.clock.now().getTime() + GUARD_BACKOFF_BUDGET_MS;
  let waitedMs = 0;
  let conflicts = 0;
  let settled = false;
  for (let pass = 0; ; pass++) {
    let outcome: StepOutcome;
    try {
      outcome =
        input.action === 'release'
          ? await releaseLock(input, ports)
          : input.action === 'renew'
            ? await renewLock(input, ports)
            : await queueStep(input, ports, settled);
    } catch (error) {
      if (!(error instanceof LockConflictError)) throw error;
      if (waitedMs >= GUARD_BACKOFF_BUDGET_MS || ports.clock.now().getTime() >= deadline) {
        throw new LockConflictError(
          `pipeline lock guard-${input.pipeline} is contended; gave up after ${conflicts + 1} attempts and ${Math.round(waitedMs / 1000)}s of backoff`,
        );
      }
      waitedMs += await backOff(conflicts++, GUARD_BACKOFF, ports.clock);
      continue;
    }
    if (outcome === 'again') {
      // Each pass changes a record (a registration, a grant); a loop that never settles is a bug.
      if (pass > 1_000) throw new TollgateError(`concurrency-guard: ${input.action} did not settle`);
      continue;
    }
    if ('settleMs' in outcome) {
      await ports.clock.sleep(outcome.settleMs);
      settled = true;
      continue;
    }
    onAttempts?.({ retries: conflicts, waitedMs });
    return outcome.result;
  }
}
