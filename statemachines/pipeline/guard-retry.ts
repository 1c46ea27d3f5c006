import { retryOn } from '../builder/task-states.js';

/**
 * The concurrency guard's conflict retry, on every state the guard serves: lock writes are
 * conditional, and a race the function's own backoff could not settle is re-read a moment later.
 * Without it a contended release failed the run and left the lock held until its lease ran out.
 */
export const GUARD_RETRY = [
  retryOn('Tollgate.LockConflict', {
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  }),
];
