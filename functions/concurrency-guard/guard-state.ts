/**
 * The pipeline's lock and queue, kept in one compare-and-swap record per pipeline so every
 * decision (grant, queue, supersede, time out) is atomic.
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
  readonly leaseUntil: string;
  readonly startedAt?: string;
  /** Superseded mode: a newer commit's run arrived; this run stops at its next lock renewal. */
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
}

export interface Waiter {
  readonly executionArn: string;
  readonly commit: GuardCommit;
  readonly enqueuedAt: string;
  /**
   * When the commit's event started the run. The queue is kept in this order, not in the order
   * the runs' writes happened to win the record: in a burst those races are won at random.
   */
  readonly startedAt?: string;
}

/** Orders runs by when their commit event started them; a run without a start time goes last. */
export function startedBefore(a: { startedAt?: string }, b: { startedAt?: string }): boolean {
  if (a.startedAt === undefined) return false;
  if (b.startedAt === undefined) return true;
  return Date.parse(a.startedAt) < Date.parse(b.startedAt);
}

/** Inserts after every waiter that did not start later, so equal start times keep arrival order. */
export function enqueueInOrder(queue: readonly Waiter[], waiter: Waiter): Waiter[] {
  const at = queue.findIndex((w) => startedBefore(waiter, w));
  return at < 0 ? [...queue, waiter] : [...queue.slice(0, at), waiter, ...queue.slice(at)];
}

export type FinalStatus = 'SUPERSEDED' | 'TIMED_OUT';

export interface Outcome {
  readonly status: FinalStatus;
  readonly reason: string;
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
  readonly at: string;
}

export interface GuardState {
  readonly holder?: Holder;
  readonly queue: readonly Waiter[];
  /** Decisions already taken about runs that have not yet looked; bounded, oldest dropped. */
  readonly outcomes: Readonly<Record<string, Outcome>>;
}

export const EMPTY_STATE: GuardState = { queue: [], outcomes: {} };
export const MAX_OUTCOMES = 500;

export function withOutcome(state: GuardState, executionArn: string, outcome: Outcome): GuardState {
  const entries = Object.entries({ ...state.outcomes, [executionArn]: outcome });
  return { ...state, outcomes: Object.fromEntries(entries.slice(-MAX_OUTCOMES)) };
}
