import type { WaitingClock } from './clock.js';

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * each wait is uniform in [0, min(cap, base * 2^attempt)). Spreading the retries of many
 * contenders over the whole window is what lets a burst of writers to one compare-and-swap record
 * all get through, where retrying at once makes them collide again and again.
 *
 * Hand-written rather than p-retry or exponential-backoff: both wait with setTimeout, and the wait
 * here must go through the clock port so tests spend no real time.
 */
export interface BackoffPolicy {
  /** First window, in ms. */
  readonly baseMs: number;
  /** Largest window, in ms. */
  readonly capMs: number;
}

function fullJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const window = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * window);
}

/** Waits the attempt's jittered delay on `clock`; returns how long it asked to wait. */
export async function backOff(
  attempt: number,
  policy: BackoffPolicy,
  clock: WaitingClock,
  random: () => number = Math.random,
): Promise<number> {
  const delay = fullJitterDelay(attempt, policy, random);
  await clock.sleep(delay);
  return delay;
}
