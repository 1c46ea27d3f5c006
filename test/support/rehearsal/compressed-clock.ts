import type { EngineClock, TimerHandle } from '../../../runtime/engine/clock.js';

/**
 * The engine's clock for the rehearsal: real time, except that a timer due within `shortMs` (a Wait
 * between two polls, a Retry back-off) fires at once and moves this clock forward to its due time,
 * so a rollout polled every 5 s does not take 5 s a poll. Longer timers (an approval's 24 h timeout,
 * a task timeout) keep real time. The engine therefore runs ahead of the wall clock by the waits it
 * skipped (minutes at most in a rehearsal, far below the lock lease or any timeout).
 */
export class CompressedClock implements EngineClock {
  private offset = 0;

  constructor(private readonly shortMs = 60_000) {}

  /** How far this clock runs ahead of the wall clock (the waits it skipped). */
  get offsetMs(): number {
    return this.offset;
  }

  now(): number {
    return Date.now() + this.offset;
  }

  setTimer(atMs: number, fire: () => void): TimerHandle {
    let cancelled = false;
    const delay = atMs - this.now();
    const due = () => {
      if (cancelled) return;
      this.offset = Math.max(this.offset, atMs - Date.now());
      fire();
    };
    const handle = setTimeout(due, delay <= this.shortMs ? 0 : Math.min(delay, 2_147_483_647));
    handle.unref?.();
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(handle);
      },
    };
  }
}
