import {
  type GuardAttempts,
  type GuardResult,
  runGuard,
} from '../../functions/concurrency-guard/concurrency-guard.js';
import type { WaitingClock } from '../../functions/shared/clock.js';
import type { LockTable } from '../../functions/shared/ports/lock-table.js';

/**
 * A burst of commit events against the concurrency guard and a real lock table: every run asks for
 * the lock at once (as the state machine's AcquireLock does when events arrive together), then the
 * holder finishes and releases, and the waiters poll (CheckLock) in a random order until one is
 * granted, round after round. The burst test and the reliability bench both drive it.
 */
/**
 * Simulated time for a burst: a wait ends only once every guard call in flight is waiting (no
 * request to the lock table is outstanding), and then the earliest one wakes, the clock jumping to
 * its end. Concurrent waits overlap as they would in real time, in the right order, at no real
 * cost, however slow the table answers.
 */
export class BurstClock implements WaitingClock {
  readonly sleeps: number[] = [];
  private sleepers: Array<{ at: number; seq: number; wake: () => void }> = [];
  private seq = 0;
  active = 0;
  constructor(private current: number) {}
  now(): Date {
    return new Date(this.current);
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((wake) => {
      this.sleepers.push({ at: this.current + ms, seq: this.seq++, wake });
      this.pump();
    });
  }
  /** Tracks a call in flight: time does not move while one of them waits on the lock table. */
  async track<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.pump();
    }
  }
  private pump(): void {
    if (this.sleepers.length === 0 || this.sleepers.length < this.active) return;
    this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.sleepers.shift()!;
    this.current = Math.max(this.current, next.at);
    setImmediate(next.wake);
  }
}

export interface GuardBurstOptions {
  readonly locks: LockTable;
  /** BurstClock in tests (simulated time); the system clock in the bench (real waits). */
  readonly clock: WaitingClock;
  readonly count: number;
  readonly mode: 'queued' | 'superseded';
  readonly random?: () => number;
}

export interface GuardBurstReport {
  /** Commit indexes in the order their runs held the lock. */
  readonly ran: number[];
  /** Commit indexes recorded as superseded (each with its reason). */
  readonly skipped: Array<{ index: number; reason: string }>;
  /** Commits with neither a run nor a recorded skip. */
  readonly lost: number[];
  /** Guard calls that failed, by error name. */
  readonly failures: Array<{ index: number; name: string; message: string }>;
  /** Compare-and-swap retries of each run's AcquireLock call. */
  readonly retries: number[];
  /** How long the AcquireLock calls of the whole burst took, in ms (clock time). */
  readonly acquireMs: number;
  /** Guard calls that gave up after their own backoff and were retried as the state machine does. */
  readonly stateMachineRetries: number;
}

const POLL_BATCH = 8;
/** pipeline.asl.json's Retry on Tollgate.LockConflict (AcquireLock, CheckLock). */
const ASL_LOCK_RETRY = { maxAttempts: 6, intervalMs: 2_000, maxDelayMs: 60_000 };

export const burstCommit = (index: number) => ({
  commit: index.toString(16).padStart(40, 'a'),
  branch: 'main',
  author: { name: 'dev', email: 'dev@example.test' },
  timestamp: '2026-01-01T00:00:00Z',
});

export async function runGuardBurst(options: GuardBurstOptions): Promise<GuardBurstReport> {
  const random = options.random ?? Math.random;
  const ports = {
    locks: options.locks,
    clock: options.clock,
    config: { concurrency: { mode: options.mode, lease: 21_600, maxWait: 86_400, pollInterval: 10 } },
  };
  const startedAt0 = options.clock.now().getTime();
  const retries: number[] = [];
  const failures: GuardBurstReport['failures'] = [];
  const clock = options.clock;
  const track = <T>(work: () => Promise<T>) => (clock instanceof BurstClock ? clock.track(work) : work());
  const guard = (action: 'acquire' | 'check' | 'release', index: number) =>
    runGuard(
      {
        action,
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:tollgate:run-${index}`,
        pipeline: 'orders',
        commit: burstCommit(index),
        startedAt: new Date(startedAt0 + index).toISOString(),
      },
      ports,
      (a: GuardAttempts) => {
        if (action === 'acquire') retries.push(a.retries);
      },
    );
  let stateMachineRetries = 0;
  const call = async (action: 'acquire' | 'check' | 'release', index: number) => {
    try {
      return await track(async () => {
        // As the ASL's Retry on Tollgate.LockConflict does for AcquireLock and CheckLock.
        for (let attempt = 0; ; attempt++) {
          try {
            return await guard(action, index);
          } catch (error) {
            const retry = action !== 'release' && (error as Error).name === 'Tollgate.LockConflict';
            if (!retry || attempt >= ASL_LOCK_RETRY.maxAttempts) throw error;
            stateMachineRetries++;
            const window = Math.min(ASL_LOCK_RETRY.maxDelayMs, ASL_LOCK_RETRY.intervalMs * 2 ** attempt);
            await clock.sleep(Math.floor(random() * window));
          }
        }
      });
    } catch (error) {
      const e = error as Error;
      failures.push({ index, name: e.name, message: e.message });
      return undefined;
    }
  };
  const status = new Map<number, GuardResult | undefined>();
  const indexes = Array.from({ length: options.count }, (_, i) => i);
  // Events started in commit order; their AcquireLock calls all overlap.
  const first = await Promise.all(indexes.map((i) => call('acquire', i)));
  const acquireMs = options.clock.now().getTime() - startedAt0;
  const ran: number[] = [];
  const skipped: GuardBurstReport['skipped'] = [];
  const settle = (i: number, r: GuardResult | undefined) => {
    status.set(i, r);
    if (r?.status === 'SUPERSEDED' || r?.status === 'TIMED_OUT')
      skipped.push({ index: i, reason: r.reason ?? '' });
  };
  first.forEach((r, i) => {
    settle(i, r);
  });
  let holder = indexes.find((i) => status.get(i)?.status === 'ACQUIRED');
  while (holder !== undefined) {
    ran.push(holder);
    await call('release', holder);
    status.delete(holder);
    holder = undefined;
    const waiting = [...status].filter(([, r]) => r?.status === 'WAITING').map(([i]) => i);
    shuffle(waiting, random);
    // Waiters poll a few at a time, as their Wait states expire together on AWS.
    for (let at = 0; at < waiting.length && holder === undefined; at += POLL_BATCH) {
      const batch = waiting.slice(at, at + POLL_BATCH);
      const answers = await Promise.all(batch.map((i) => call('check', i)));
      answers.forEach((r, k) => {
        settle(batch[k]!, r);
        if (r?.status === 'ACQUIRED') holder = batch[k];
      });
    }
  }
  const accounted = new Set([...ran, ...skipped.map((s) => s.index)]);
  return {
    ran,
    skipped,
    lost: indexes.filter((i) => !accounted.has(i)),
    failures,
    retries,
    acquireMs,
    stateMachineRetries,
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
