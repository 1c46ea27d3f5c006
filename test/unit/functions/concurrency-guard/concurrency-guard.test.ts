import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type GuardAction, runGuard } from '../../../../functions/concurrency-guard/concurrency-guard.js';
import { FileLockTable } from '../../../../functions/shared/adapters/local/file-lock-table.js';
import { ManualClock } from '../../../../functions/shared/clock.js';

const commitOf = (n: number) => ({
  commit: String(n)
    .repeat(40)
    .slice(0, 40)
    .replace(/[^0-9]/g, '0'),
  branch: 'main',
  author: { name: 'dev', email: 'dev@example.test' },
  timestamp: '2026-01-01T00:00:00Z',
});

function setup(mode: 'queued' | 'superseded', lease = 600, maxWait = 3600) {
  const locks = new FileLockTable(mkdtempSync(join(tmpdir(), 'tollgate-guard-')));
  const clock = new ManualClock();
  const ports = { locks, clock, config: { concurrency: { mode, lease, maxWait, pollInterval: 10 } } };
  const call = (action: GuardAction, run: number) =>
    runGuard({ action, executionArn: `arn:run:${run}`, pipeline: 'orders', commit: commitOf(run) }, ports);
  return { call, clock, locks };
}

describe('runGuard', () => {
  it('grants the first run and queues the next ones in FIFO order when queued', async () => {
    // Arrange
    const { call } = setup('queued');
    // Act
    const first = await call('acquire', 1);
    const second = await call('acquire', 2);
    const third = await call('acquire', 3);
    // Assert
    expect(first.status).toBe('ACQUIRED');
    expect(second).toMatchObject({ status: 'WAITING', position: 1, holder: { executionArn: 'arn:run:1' } });
    expect(third).toMatchObject({ status: 'WAITING', position: 2 });
  });

  it('hands the lock to the head of the queue after release, not to a later waiter', async () => {
    // Arrange
    const { call } = setup('queued');
    await call('acquire', 1);
    await call('acquire', 2);
    await call('acquire', 3);
    // Act
    expect((await call('release', 1)).status).toBe('RELEASED');
    const thirdFirst = await call('check', 3);
    const second = await call('check', 2);
    // Assert
    expect(thirdFirst.status).toBe('WAITING');
    expect(second.status).toBe('ACQUIRED');
  });

  it('marks every older waiting run superseded, with who superseded it, when superseded', async () => {
    // Arrange
    const { call } = setup('superseded');
    await call('acquire', 1);
    await call('acquire', 2);
    await call('acquire', 3);
    // Act
    await call('acquire', 4);
    const two = await call('check', 2);
    const three = await call('check', 3);
    const four = await call('check', 4);
    // Assert
    expect(two).toMatchObject({ status: 'SUPERSEDED', supersededBy: { executionArn: 'arn:run:3' } });
    expect(two.reason).toMatch(/superseded mode runs only the newest waiting commit/);
    expect(three).toMatchObject({ status: 'SUPERSEDED', supersededBy: { executionArn: 'arn:run:4' } });
    expect(four).toMatchObject({ status: 'WAITING', position: 1 });
    expect((await call('check', 1)).status).toBe('ACQUIRED');
  });

  it('lets the next waiter take over when the holder stops renewing past its lease', async () => {
    // Arrange
    const { call, clock } = setup('queued', 600);
    await call('acquire', 1);
    await call('acquire', 2);
    clock.advance(300_000);
    await call('renew', 1);
    clock.advance(500_000);
    expect((await call('check', 2)).status).toBe('WAITING');
    // Act
    clock.advance(200_000);
    const taken = await call('check', 2);
    // Assert
    expect(taken).toMatchObject({ status: 'ACQUIRED', tookOverFrom: { executionArn: 'arn:run:1' } });
    await expect(call('renew', 1)).rejects.toMatchObject({ name: 'Tollgate.LockLost' });
  });

  it('times a waiting run out after maxWait with a recorded reason', async () => {
    // Arrange
    const { call, clock } = setup('queued', 21_600, 60);
    await call('acquire', 1);
    await call('acquire', 2);
    // Act
    clock.advance(61_000);
    const result = await call('check', 2);
    // Assert
    expect(result.status).toBe('TIMED_OUT');
    expect(result.reason).toMatch(
      /waited 61s for the orders lock \(concurrency.maxWait is 60s\); held by arn:run:1/,
    );
    expect((await call('check', 2)).status).toBe('TIMED_OUT');
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
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call('acquire', i + 1)));
    // Assert
    expect(results.filter((r) => r.status === 'ACQUIRED')).toHaveLength(1);
    expect(results.map((r) => r.position ?? 0).sort((a, b) => a - b)).toEqual([
      0,
      ...Array.from({ length: 19 }, (_, i) => i + 1),
    ]);
  });
});

describe('FileLockTable', () => {
  it('refuses a write whose expected version is stale', async () => {
    const { locks } = setup('queued');
    await locks.put('k', { a: 1 }, 0);
    await expect(locks.put('k', { a: 2 }, 0)).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
    expect(await locks.get('k')).toEqual({ value: { a: 1 }, version: 1 });
  });

  it('rejects a key that could escape its directory', async () => {
    const { locks } = setup('queued');
    await expect(locks.get('../etc/passwd')).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
  });
});
