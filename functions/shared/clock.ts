/** Time comes through this port so tests can run waits and expiries without real time passing. */
export interface Clock {
  now(): Date;
}

/**
 * A clock that can also wait. Retries back off through it (the guard's compare-and-swap loop), so
 * a test's clock decides what a wait costs instead of real time passing.
 */
export interface WaitingClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export const systemClock: WaitingClock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock tests move by hand. */
export class ManualClock implements WaitingClock {
  private current: number;
  constructor(start: Date | string = '2026-01-01T00:00:00.000Z') {
    this.current = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  /** Waits asked for through `sleep`, in order, so a test can see the backoff it caused. */
  readonly sleeps: number[] = [];
  /**
   * Records the wait and yields to the event loop once, so concurrent work interleaves as it would
   * while a real wait elapsed. Time does not move: many concurrent waits overlap in real time, so
   * adding each one to the clock would overstate how long passed; tests move time with `advance`.
   */
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    await new Promise((resolve) => setImmediate(resolve));
  }
  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
