import pg from 'pg';
import { expect } from 'vitest';

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
function loopDelay(): { stop: () => { maxDelayMs: number; ticks: number } } {
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

/** What `timeLongStatement` saw: the statement's rows and time, and the loop's longest delay. */
export interface LongStatementTiming {
  readonly rows: Array<{ s: string }>;
  readonly statementMs: number;
  readonly maxDelayMs: number;
  readonly ticks: number;
}

/**
 * Runs LONG_STATEMENT on a connection of its own to `url` while `loopDelay` probes this thread's
 * event loop. The connection is made before the probe starts, so only the statement is timed.
 */
export async function timeLongStatement(url: string): Promise<LongStatementTiming> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const delay = loopDelay();
    const started = performance.now();
    const { rows } = await client.query<{ s: string }>(LONG_STATEMENT);
    const statementMs = performance.now() - started;
    const { maxDelayMs, ticks } = delay.stop();
    return { rows, statementMs, maxDelayMs, ticks };
  } finally {
    await client.end();
  }
}

/**
 * The statement ran, took long enough (over 300 ms) for a stalled loop to show, and the loop never
 * stood still for a quarter of it: the database ran off this thread. Run in-process, the longest
 * delay is about the whole statement.
 */
export function expectLoopAnsweredDuring(timing: LongStatementTiming): void {
  expect(timing.rows).toEqual([{ s: '4004001000000' }]);
  expect(timing.ticks).toBeGreaterThan(0);
  expect(timing.statementMs).toBeGreaterThan(300);
  expect(timing.maxDelayMs).toBeLessThan(timing.statementMs / 4);
}
