/**
 * Enough work for PGlite to take well over the loop delays a loaded machine shows anyway: 4M rows
 * of a nested loop over two small in-memory series (one series of 4M rows would spill to disk).
 * Its result is '4004001000000'.
 */
export const LONG_STATEMENT =
  'SELECT sum(a.i * b.j)::text AS s FROM generate_series(1, 2000) a(i), generate_series(1, 2000) b(j)';

/**
 * The longest the event loop took to come back to a 5 ms timer, re-armed each time, until `stop`.
 * (perf_hooks' monitorEventLoopDelay recorded no samples at all under vitest here.)
 */
export function loopDelay(): { stop: () => { maxDelayMs: number; ticks: number } } {
  let maxDelayMs = 0;
  let ticks = 0;
  let timer: NodeJS.Timeout;
  const arm = () => {
    const armed = performance.now();
    timer = setTimeout(() => {
      maxDelayMs = Math.max(maxDelayMs, performance.now() - armed - 5);
      ticks += 1;
      arm();
    }, 5);
  };
  arm();
  return {
    stop: () => {
      clearTimeout(timer);
      return { maxDelayMs, ticks };
    },
  };
}
