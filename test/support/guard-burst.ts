import { type GuardAttempts, runGuard } from '../../functions/concurrency-guard/concurrency-guard.js';
import type { GuardResult } from '../../functions/concurrency-guard/guard-contract.js';
import type { WaitingClock } from '../../functions/shared/clock.js';
import type { LockTable } from '../../functions/shared/ports/lock-table.js';
import { GuardTokens } from './guard-tokens.js';

/**
 * A burst of commit events against the concurrency guard and a real lock table: every run asks for
 * the lock at once (as the state machine's AcquireLock does when events arrive together); each run
 * told WAITING goes to sleep on a task token (WaitForLock); the holder finishes and releases, and
 * the release wakes the next run through the token, round after round. The burst test and the
 * reliability bench both drive it. `GuardTokens` plays Step Functions' part in it.
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
  /** Wake-ups sent through task tokens (SendTaskSuccess), and looks a sleeping run had to take. */
  readonly wakeUps: number;
}

/** pipeline.asl.json's Retry on Tollgate.LockConflict (AcquireLock, WaitForLock, CheckLock). */
const ASL_LOCK_RETRY = { maxAttempts: 6, intervalMs: 2_000, maxDelayMs: 60_000 };

export const burstCommit = (index: number) => ({
  commit: index.toString(16).padStart(40, 'a'),
  branch: 'main',
  author: { name: 'dev', email: 'dev@example.test' },
  timestamp: '2026-01-01T00:00:00Z',
});

const burstArn = (index: number) => `arn:aws:states:us-east-1:000000000000:execution:tollgate:run-${index}`;

type Action = 'acquire' | 'wait' | 'release';

export async function runGuardBurst(options: GuardBurstOptions): Promise<GuardBurstReport> {
  const random = options.random ?? Math.random;
  const tokens = new GuardTokens();
  const ports = {
    locks: options.locks,
    clock: options.clock,
    callback: tokens,
    config: { concurrency: { mode: options.mode, lease: 21_600, maxWait: 86_400, pollInterval: 3_600 } },
  };
  const startedAt0 = options.clock.now().getTime();
  const retries: number[] = [];
  const failures: GuardBurstReport['failures'] = [];
  const clock = options.clock;
  const track = <T>(work: () => Promise<T>) => (clock instanceof BurstClock ? clock.track(work) : work());
  const guard = (action: Action, index: number, taskToken?: string) =>
    runGuard(
      {
        action,
        executionArn: burstArn(index),
        pipeline: 'orders',
        commit: burstCommit(index),
        startedAt: new Date(startedAt0 + index).toISOString(),
        ...(taskToken ? { taskToken } : {}),
      },
      ports,
      (a: GuardAttempts) => {
        if (action === 'acquire') retries.push(a.retries);
      },
    );
  let stateMachineRetries = 0;
  const call = async (action: Action, index: number, taskToken?: string) => {
    try {
      return await track(async () => {
        // As the ASL's Retry on Tollgate.LockConflict does for AcquireLock and WaitForLock.
        for (let attempt = 0; ; attempt++) {
          try {
            return await guard(action, index, taskToken);
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
  const indexes = Array.from({ length: options.count }, (_, i) => i);
  const ran: number[] = [];
  const skipped: GuardBurstReport['skipped'] = [];
  const settled = new Set<number>();
  const settle = (i: number, r: GuardResult | undefined) => {
    if (r?.status === 'SUPERSEDED' || r?.status === 'TIMED_OUT') {
      skipped.push({ index: i, reason: r.reason ?? '' });
      settled.add(i);
    }
  };
  // Events started in commit order; their AcquireLock calls all overlap.
  const first = await Promise.all(indexes.map((i) => call('acquire', i)));
  const acquireMs = options.clock.now().getTime() - startedAt0;
  let holder: number | undefined;
  first.forEach((r, i) => {
    settle(i, r);
    if (r?.status === 'ACQUIRED') holder = i;
  });
  // Every run told WAITING sleeps on a token of its own (WaitForLock), all at once.
  const sleeping = indexes.filter((i) => first[i]?.status === 'WAITING');
  await Promise.all(sleeping.map((i) => call('wait', i, tokens.issue(burstArn(i)))));
  for (const i of sleeping) settle(i, tokens.answered(burstArn(i)));
  // From here the runs only hold, release and are woken: each release wakes the next run.
  while (holder !== undefined) {
    ran.push(holder);
    settled.add(holder);
    await call('release', holder);
    tokens.runEnded(burstArn(holder));
    holder = undefined;
    for (const i of sleeping) {
      if (settled.has(i)) continue;
      const answer = tokens.answered(burstArn(i));
      if (answer?.status === 'ACQUIRED') holder = i;
      else settle(i, answer);
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
    wakeUps: tokens.sent,
  };
}
