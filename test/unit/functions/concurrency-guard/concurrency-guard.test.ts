import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGuard } from '../../../../functions/concurrency-guard/concurrency-guard.js';
import { GRANT_SETTLE_MS } from '../../../../functions/concurrency-guard/guard-contract.js';
import type { GuardState } from '../../../../functions/concurrency-guard/guard-state.js';
import type { GuardAction } from '../../../../functions/concurrency-guard/input.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { burstCommit } from '../../../support/guard-burst.js';
import { GuardTokens } from '../../../support/guard-tokens.js';

const START = Date.parse('2026-01-01T00:00:00.000Z');
const arn = (run: number) => `arn:aws:states:eu-west-1:111122223333:execution:orders:run-${run}`;

function setup(mode: 'queued' | 'superseded', lease = 600, maxWait = 3600) {
  const locks = new FileLockTable(mkdtempSync(join(tmpdir(), 'tollgate-guard-')));
  const clock = new ManualClock(new Date(START));
  clock.advance(GRANT_SETTLE_MS + 100); // every run below started longer ago than the settle time
  const tokens = new GuardTokens();
  const ports = {
    locks,
    clock,
    callback: tokens,
    config: { concurrency: { mode, lease, maxWait, pollInterval: 600 } },
  };
  const input = (action: GuardAction, run: number) => ({
    action,
    executionArn: arn(run),
    pipeline: 'orders',
    commit: burstCommit(run),
    startedAt: new Date(START + run).toISOString(),
  });
  const call = (action: GuardAction, run: number) => runGuard(input(action, run), ports);
  /** WaitForLock: the run sleeps on a fresh token; returns what that token has been answered so far. */
  const sleep = async (run: number) => {
    await runGuard({ ...input('wait', run), taskToken: tokens.issue(arn(run)) }, ports);
    return tokens.answered(arn(run));
  };
  const holder = async () => (await locks.get<GuardState>('guard-orders'))?.value.holder?.executionArn;
  return { call, sleep, clock, locks, tokens, ports, holder };
}

describe('runGuard', () => {
  it('grants the first run and queues the next ones in commit order', async () => {
    // Arrange
    const { call } = setup('queued');
    // Act
    const first = await call('acquire', 1);
    const third = await call('acquire', 3);
    const second = await call('acquire', 2);
    // Assert
    expect(first.status).toBe('ACQUIRED');
    expect(third).toMatchObject({ status: 'WAITING', position: 1, wakeAfterSeconds: 600 });
    expect(second).toMatchObject({ status: 'WAITING', position: 1, holder: { executionArn: arn(1) } });
    expect(await call('check', 3)).toMatchObject({ status: 'WAITING', position: 2 });
  });

  it('hands the lock on release to the first waiter in commit order and wakes it through its token', async () => {
    // Arrange
    const { call, sleep, tokens, holder } = setup('queued');
    await call('acquire', 1);
    await call('acquire', 3);
    await call('acquire', 2);
    expect(await sleep(3)).toBeUndefined();
    expect(await sleep(2)).toBeUndefined();
    // Act
    const released = await call('release', 1);
    // Assert
    expect(released.status).toBe('RELEASED');
    expect(await holder()).toBe(arn(2));
    expect(tokens.answered(arn(2))).toEqual({ status: 'ACQUIRED' });
    expect(tokens.answered(arn(3))).toBeUndefined();
    expect(await call('check', 2)).toEqual({ status: 'ACQUIRED' });
  });

  it('answers a run that goes to sleep after the lock was handed to it at once, through its own token', async () => {
    // Arrange: run 2 was told WAITING, and the lock freed before its WaitForLock stored a token
    const { call, sleep } = setup('queued');
    await call('acquire', 1);
    await call('acquire', 2);
    await call('release', 1);
    // Act
    const answer = await sleep(2);
    // Assert
    expect(answer).toEqual({ status: 'ACQUIRED' });
  });

  it('takes a wake-up that beat its own answer as the answer, when the lock is handed over mid-wait', async () => {
    // Arrange: run 1 releases right after run 2's WaitForLock stored its token, so the release
    // wakes run 2 through that token before run 2's own next pass answers it (seen in CI: the
    // second send was refused and the run failed at its queue)
    const { call, ports, locks, tokens, holder } = setup('queued');
    await call('acquire', 1);
    await call('acquire', 2);
    let released: Promise<unknown> | undefined;
    const put = locks.put.bind(locks);
    locks.put = (async (key: string, value: unknown, ...rest: unknown[]) => {
      const written = await (put as (...a: unknown[]) => Promise<unknown>)(key, value, ...rest);
      if (!released && (value as { token?: string }).token) {
        released = call('release', 1);
        await released;
      }
      return written;
    }) as typeof locks.put;
    // Act
    const token = tokens.issue(arn(2));
    const result = await runGuard(
      {
        action: 'wait',
        executionArn: arn(2),
        pipeline: 'orders',
        commit: burstCommit(2),
        startedAt: new Date(START + 2).toISOString(),
        taskToken: token,
      },
      ports,
    );
    // Assert
    expect(released).toBeDefined();
    expect(result).toEqual({ status: 'ACQUIRED' });
    expect(tokens.answered(arn(2))).toEqual({ status: 'ACQUIRED' });
    expect(tokens.sent).toBe(1);
    expect(await holder()).toBe(arn(2));
  });

  it('skips a waiter whose run ended and wakes the next one', async () => {
    // Arrange
    const { call, sleep, tokens, holder } = setup('queued');
    await call('acquire', 1);
    await call('acquire', 2);
    await call('acquire', 3);
    await sleep(2);
    await sleep(3);
    tokens.runEnded(arn(2)); // stopped while queued, before its run-end cleanup ran
    // Act
    await call('release', 1);
    // Assert
    expect(await holder()).toBe(arn(3));
    expect(tokens.answered(arn(3))).toEqual({ status: 'ACQUIRED' });
  });

  it('keeps the lock for a holder whose lease lapsed while its run still runs, and frees it once the run ended', async () => {
    // Arrange
    const { call, clock, tokens, holder } = setup('queued', 600);
    await call('acquire', 1);
    await call('acquire', 2);
    clock.advance(700_000);
    // Act
    const stillHeld = await call('check', 2);
    tokens.runEnded(arn(1));
    clock.advance(700_000);
    const taken = await call('check', 2);
    // Assert
    expect(stillHeld).toMatchObject({ status: 'WAITING', holder: { executionArn: arn(1) } });
    expect(taken).toMatchObject({ status: 'ACQUIRED', tookOverFrom: { executionArn: arn(1) } });
    expect(await holder()).toBe(arn(2));
    await expect(call('renew', 1)).rejects.toMatchObject({ name: 'Tollgate.LockLost' });
  });

  it('times a waiting run out after maxWait with a recorded reason, and sleeps no longer than what is left', async () => {
    // Arrange
    const { call, clock } = setup('queued', 21_600, 900);
    await call('acquire', 1);
    await call('acquire', 2);
    clock.advance(500_000);
    const later = await call('check', 2);
    // Act
    clock.advance(401_000);
    const result = await call('check', 2);
    // Assert
    expect(later).toMatchObject({ status: 'WAITING', wakeAfterSeconds: 400 });
    expect(result.status).toBe('TIMED_OUT');
    expect(result.reason).toMatch(
      /waited 901s for the orders lock \(concurrency.maxWait is 900s\); held by .*run-1/,
    );
    expect((await call('check', 2)).status).toBe('TIMED_OUT');
  });

  it('drops the record of a timed-out run once maxWait and one more look have passed, at a release', async () => {
    // Arrange
    const { call, clock, locks } = setup('queued', 21_600, 900);
    await call('acquire', 1);
    await call('acquire', 2);
    clock.advance(901_000);
    expect((await call('check', 2)).status).toBe('TIMED_OUT');
    await call('acquire', 3);
    await call('release', 1); // run 3 holds it now; run 2's record still answers run 2
    const kept = await locks.list('guard-orders.w.');
    // Act
    clock.advance((900 + 600) * 1000 + 1);
    await call('release', 3);
    // Assert
    expect(kept).toHaveLength(1);
    expect(await locks.list('guard-orders.w.')).toEqual([]);
  });

  it('marks every older waiting run superseded and tells it through its token, when superseded', async () => {
    // Arrange
    const { call, sleep, tokens } = setup('superseded');
    await call('acquire', 1);
    await call('acquire', 2);
    await sleep(2);
    await call('acquire', 3);
    // Act
    await call('acquire', 4);
    const three = await call('check', 3);
    // Assert
    expect(tokens.answered(arn(2))).toMatchObject({
      status: 'SUPERSEDED',
      supersededBy: { executionArn: arn(3) },
    });
    expect(three).toMatchObject({ status: 'SUPERSEDED', supersededBy: { executionArn: arn(4) } });
    expect(three.reason).toMatch(/superseded mode runs only the newest waiting commit/);
    expect(await call('check', 4)).toMatchObject({ status: 'WAITING', position: 1 });
    await expect(call('renew', 1)).rejects.toMatchObject({ name: 'Tollgate.Superseded' });
  });

  it('is idempotent when a task is re-invoked', async () => {
    const { call } = setup('queued');
    expect((await call('acquire', 1)).status).toBe('ACQUIRED');
    expect((await call('acquire', 1)).status).toBe('ACQUIRED');
    expect((await call('acquire', 2)).position).toBe(1);
    expect((await call('acquire', 2)).position).toBe(1);
    expect((await call('release', 1)).status).toBe('RELEASED');
    expect((await call('release', 1)).status).toBe('NOT_HOLDER');
  });

  it('grants exactly one holder when many runs acquire at once', async () => {
    // Arrange
    const { call } = setup('queued');
    // Act
    const runs = Array.from({ length: 20 }, (_, i) => i + 1);
    const results = await Promise.all(runs.map((run) => call('acquire', run)));
    const holder = runs.filter((_, i) => results[i]?.status === 'ACQUIRED');
    const waiting = runs.filter((run) => !holder.includes(run));
    const positions = await Promise.all(waiting.map((run) => call('check', run)));
    // Assert: one holder, and everyone else queued once each, in commit order
    expect(holder).toHaveLength(1);
    expect(positions.map((r) => r.position)).toEqual(waiting.map((_, i) => i + 1));
  });

  it('refuses a wait without a task token in one line, changing nothing', async () => {
    // Arrange
    const { call, ports, locks } = setup('queued');
    await call('acquire', 1);
    const before = await locks.list('guard-orders');
    // Act
    const bad = runGuard(
      { action: 'wait', executionArn: arn(2), pipeline: 'orders', commit: burstCommit(2) },
      ports,
    );
    // Assert
    await expect(bad).rejects.toThrow(
      /^concurrency-guard: wait needs the task token of its WaitForLock task$/,
    );
    expect(await locks.list('guard-orders')).toEqual(before);
  });
});
