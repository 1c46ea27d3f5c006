import { createHash } from 'node:crypto';

/**
 * The pipeline's lock and its queue. The lock is one compare-and-swap record per pipeline
 * (`guard-<pipeline>`: who holds it, until when); every waiting run is a record of its own under
 * it (`guard-<pipeline>.w.<start time>.<run>`), so the keys sort in commit order, a burst's runs
 * register without contending for one record, and no write grows with the length of the queue.
 */
export interface GuardCommit {
  readonly commit: string;
  readonly branch: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly timestamp: string;
}

export interface Holder {
  readonly executionArn: string;
  readonly commit: GuardCommit;
  readonly acquiredAt: string;
  /** When to ask Step Functions whether the holder's run still runs (see `lease` in the README). */
  readonly leaseUntil: string;
  readonly startedAt?: string;
  /** Superseded mode: a newer commit's run arrived; this run stops at its next lock renewal. */
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
  /**
   * The task token of a waiter the lock was handed to, until the wake-up is known to be sent: a
   * guard call that finds it sends it again, so a releaser that died between its write and its
   * SendTaskSuccess loses no wake-up.
   */
  readonly wake?: string;
}

type FinalStatus = 'SUPERSEDED' | 'TIMED_OUT';

export interface Outcome {
  readonly status: FinalStatus;
  readonly reason: string;
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
  readonly at: string;
}

export interface Waiter {
  readonly executionArn: string;
  readonly commit: GuardCommit;
  readonly enqueuedAt: string;
  /** When the commit's event started the run: the queue's order (the key sorts by it). */
  readonly startedAt?: string;
  /** The token its WaitForLock task waits on; absent until the run reaches that state. */
  readonly token?: string;
  /** Decided while the run slept: it reads this instead of being granted. */
  readonly outcome?: Outcome;
}

export interface GuardState {
  readonly holder?: Holder;
}

export const lockKey = (pipeline: string) => `guard-${pipeline}`;
export const waiterPrefix = (pipeline: string) => `${lockKey(pipeline)}.w.`;

/**
 * Sorts by start time (ms, zero-padded), then by a hash of the execution ARN so equal start times
 * still give every run one fixed place. A run without a start time (started by an older definition)
 * is ordered by when it first asked.
 */
export function waiterKey(pipeline: string, executionArn: string, orderedAt: string): string {
  const ms = String(Date.parse(orderedAt)).padStart(15, '0');
  const run = createHash('sha256').update(executionArn).digest('hex').slice(0, 16);
  return `${waiterPrefix(pipeline)}${ms}.${run}`;
}

/** Orders runs by when their commit event started them; a run without a start time goes last. */
export function startedBefore(a: { startedAt?: string }, b: { startedAt?: string }): boolean {
  if (a.startedAt === undefined) return false;
  if (b.startedAt === undefined) return true;
  return Date.parse(a.startedAt) < Date.parse(b.startedAt);
}

export const short = (commit: string) => commit.slice(0, 7);
