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
}

export interface Waiter {
  readonly executionArn: string;
  readonly commit: GuardCommit;
  readonly enqueuedAt: string;
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
