/**
 * The timers a stalled append waits on: the engine's clock fits it, so tests move time instead of
 * sleeping. Declared here (not imported from the engine) because the store sits below the engine.
 */
export interface StoreTimers {
  now(): number;
  setTimer(atMs: number, fire: () => void): { cancel(): void };
}

export interface FileLogStoreOptions {
  /** Paces retries of appends the disk had no room for. Real time by default. */
  readonly timers?: StoreTimers;
  /** Told once when appends stall on a full disk and once when they resume. */
  readonly warn?: (line: string) => void;
}

export const realTimers: StoreTimers = {
  now: () => Date.now(),
  setTimer(atMs, fire) {
    const handle = setTimeout(fire, Math.max(0, atMs - Date.now()));
    return { cancel: () => clearTimeout(handle) };
  },
};
