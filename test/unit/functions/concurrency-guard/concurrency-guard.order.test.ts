import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGuard } from '../../../../functions/concurrency-guard/concurrency-guard.js';
import { GRANT_SETTLE_MS } from '../../../../functions/concurrency-guard/guard-contract.js';
import type { GuardAction } from '../../../../functions/concurrency-guard/input.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import { ManualClock, type WaitingClock } from '../../../../functions/shared/clock.js';
import { burstCommit } from '../../../support/guard-burst.js';
import { GuardTokens } from '../../../support/guard-tokens.js';

const START = Date.parse('2026-01-01T00:00:00.000Z');

/** A fake clock whose `sleep` ends only when the test moves time past it. */
class SteppedClock implements WaitingClock {
  private sleepers: Array<{ at: number; wake: () => void }> = [];
  constructor(private current: number) {}
  now(): Date {
    return new Date(this.current);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.current + ms, wake }));
  }
  /** Waits (on the real file I/O in flight) until `count` calls are asleep. */
  async untilSleeping(count: number): Promise<void> {
    for (let i = 0; i < 1_000 && this.sleepers.length < count; i++)
      await new Promise((r) => setTimeout(r, 2));
    if (this.sleepers.length < count)
      throw new Error(`expected ${count} sleepers, have ${this.sleepers.length}`);
  }
  async advanceTo(at: number): Promise<void> {
    this.current = at;
    const due = this.sleepers.filter((s) => s.at <= at);
    this.sleepers = this.sleepers.filter((s) => s.at > at);
    for (const s of due) s.wake();
  }
}

function setup(mode: 'queued' | 'superseded', clock: WaitingClock) {
  const locks = new FileLockTable(mkdtempSync(join(tmpdir(), 'tollgate-guard-order-')));
  const ports = {
    locks,
    clock,
    callback: new GuardTokens(),
    config: { concurrency: { mode, lease: 600, maxWait: 3600, pollInterval: 600 } },
  };
  /** `startedMs`: when the run's commit event started it, relative to START. */
  const call = (action: GuardAction, run: number, startedMs = run) =>
    runGuard(
      {
        action,
        executionArn: `arn:run:${run}`,
        pipeline: 'orders',
        commit: burstCommit(run),
        startedAt: new Date(START + startedMs).toISOString(),
      },
      ports,
    );
  return { call, ports };
}

describe('runGuard ordering', () => {
  it('queues runs in the order their events started them, not the order their writes won', async () => {
    // Arrange
    const clock = new ManualClock(new Date(START));
    const { call } = setup('queued', clock);
    clock.advance(GRANT_SETTLE_MS);
    await call('acquire', 1);
    // Act: run 4 reaches the lock before runs 2 and 3, which started earlier
    await call('acquire', 4);
    await call('acquire', 3);
    await call('acquire', 2);
    await call('release', 1);
    const granted: number[] = [];
    for (let round = 0; round < 3; round++) {
      for (const run of [4, 3, 2]) {
        if (granted.includes(run)) continue;
        if ((await call('check', run)).status === 'ACQUIRED') {
          granted.push(run);
          await call('release', run);
          break;
        }
      }
    }
    // Assert
    expect(granted).toEqual([2, 3, 4]);
  });

  it('holds a free lock back for a run that started earlier but arrives during the settle time', async () => {
    // Arrange: a clock whose waits end only when the test moves time past them
    const clock = new SteppedClock(START);
    const { call } = setup('queued', clock);
    const second = call('acquire', 2, 5);
    await clock.untilSleeping(1);
    // Act: run 1 (started 5 ms before run 2) arrives while run 2 waits out the settle time
    const first = call('acquire', 1, 0);
    await clock.untilSleeping(2);
    await clock.advanceTo(START + GRANT_SETTLE_MS);
    const r1 = await first;
    await clock.advanceTo(START + GRANT_SETTLE_MS + 5);
    const r2 = await second;
    // Assert
    expect(r1.status).toBe('ACQUIRED');
    expect(r2).toMatchObject({ status: 'WAITING', position: 1, holder: { executionArn: 'arn:run:1' } });
  });

  it('grants a lone run at once when it started longer ago than the settle time', async () => {
    // Arrange
    const clock = new ManualClock(new Date(START));
    const { call } = setup('queued', clock);
    clock.advance(GRANT_SETTLE_MS + 1);
    // Act
    const result = await call('acquire', 1, 0);
    // Assert
    expect(result.status).toBe('ACQUIRED');
    expect(clock.sleeps).toEqual([]);
  });

  it('supersedes a late-arriving older commit instead of the newer one already waiting, when superseded', async () => {
    // Arrange
    const clock = new ManualClock(new Date(START));
    const { call } = setup('superseded', clock);
    clock.advance(GRANT_SETTLE_MS);
    await call('acquire', 1);
    await call('acquire', 3);
    // Act
    const late = await call('acquire', 2);
    const newest = await call('check', 3);
    // Assert
    expect(late).toMatchObject({ status: 'SUPERSEDED', supersededBy: { executionArn: 'arn:run:3' } });
    expect(late.reason).toMatch(/was already waiting when the older commit/);
    expect(newest).toMatchObject({ status: 'WAITING', position: 1 });
  });

  it('supersedes an older commit that arrives after a newer one took the lock, when superseded', async () => {
    // Arrange
    const clock = new ManualClock(new Date(START));
    const { call } = setup('superseded', clock);
    clock.advance(GRANT_SETTLE_MS);
    await call('acquire', 3);
    // Act
    const late = await call('acquire', 2);
    // Assert
    expect(late).toMatchObject({ status: 'SUPERSEDED', supersededBy: { executionArn: 'arn:run:3' } });
    expect(late.reason).toMatch(/was already running when the older commit/);
  });

  it('releases a run by its execution alone, and refuses an acquire without a commit', async () => {
    // Arrange
    const clock = new ManualClock(new Date(START));
    const { call, ports } = setup('queued', clock);
    clock.advance(GRANT_SETTLE_MS);
    await call('acquire', 1);
    // Act
    const released = await runGuard(
      { action: 'release', executionArn: 'arn:run:1', pipeline: 'orders' },
      ports,
    );
    const noCommit = runGuard({ action: 'acquire', executionArn: 'arn:run:9', pipeline: 'orders' }, ports);
    // Assert
    expect(released.status).toBe('RELEASED');
    await expect(noCommit).rejects.toThrow(/concurrency-guard: acquire needs the run's commit/);
    expect((await ports.locks.get<{ holder?: unknown }>('guard-orders'))?.value.holder).toBeUndefined();
    expect(await ports.locks.list('guard-orders.w.')).toEqual([]);
  });
});
