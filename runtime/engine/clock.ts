/**
 * The engine's time port: the current time plus timers, so Wait states, retries, timeouts and
 * heartbeats run on a fake clock in tests with no real time passing.
 */
export interface TimerHandle {
  cancel(): void;
}

export interface EngineClock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fire` once the clock reaches `atMs` (at once if that time has passed). */
  setTimer(atMs: number, fire: () => void): TimerHandle;
}

/** Resolves when the clock reaches `atMs`; rejects with the signal's reason if aborted first. */
export function sleepUntil(clock: EngineClock, atMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(atMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// setTimeout overflows above 2^31-1 ms (~24.8 days); longer waits are chained.
const MAX_TIMEOUT_MS = 2_147_483_647;

export class SystemEngineClock implements EngineClock {
  now(): number {
    return Date.now();
  }

  setTimer(atMs: number, fire: () => void): TimerHandle {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = () => {
      if (cancelled) return;
      const delay = atMs - Date.now();
      if (delay <= 0) {
        fire();
        return;
      }
      handle = setTimeout(arm, Math.min(delay, MAX_TIMEOUT_MS));
      // A pending Wait must not keep a CLI process alive on its own.
      handle.unref?.();
    };
    // Fire asynchronously even when due, so callers never re-enter synchronously.
    handle = setTimeout(arm, 0);
    handle.unref?.();
    return {
      cancel: () => {
        cancelled = true;
        if (handle) clearTimeout(handle);
      },
    };
  }
}

interface FakeTimer {
  readonly atMs: number;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** A clock tests move by hand: `advance(ms)` fires every timer that falls due, in time order. */
export class FakeEngineClock implements EngineClock {
  private current: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: number | string | Date = '2026-01-01T00:00:00.000Z') {
    const ms = typeof start === 'number' ? start : new Date(start).getTime();
    if (!Number.isFinite(ms)) throw new TypeError(`FakeEngineClock: invalid start time ${String(start)}`);
    this.current = ms;
  }

  now(): number {
    return this.current;
  }

  setTimer(atMs: number, fire: () => void): TimerHandle {
    if (!Number.isFinite(atMs)) throw new TypeError(`FakeEngineClock: invalid timer time ${atMs}`);
    const timer: FakeTimer = { atMs, seq: this.seq++, fire, cancelled: false };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** Epoch ms of the earliest pending timer, or undefined when none is pending. */
  nextTimerAt(): number | undefined {
    let next: number | undefined;
    for (const t of this.timers) if (!t.cancelled && (next === undefined || t.atMs < next)) next = t.atMs;
    return next;
  }

  pendingTimers(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Moves time forward by `ms`, firing due timers one by one at their own times. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`FakeEngineClock.advance: invalid ms ${ms}`);
    this.advanceTo(this.current + ms);
  }

  advanceTo(targetMs: number): void {
    for (;;) {
      const due = this.timers
        .filter((t) => !t.cancelled && t.atMs <= targetMs)
        .sort((a, b) => a.atMs - b.atMs || a.seq - b.seq)[0];
      if (!due) break;
      due.cancelled = true;
      this.current = Math.max(this.current, due.atMs);
      due.fire();
    }
    this.timers = this.timers.filter((t) => !t.cancelled);
    this.current = Math.max(this.current, targetMs);
  }
}
