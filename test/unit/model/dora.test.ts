import { describe, expect, it } from 'vitest';
import type { StoredLedgerEntry } from '../../../functions/shared/ports/ledger.js';
import { doraMeasures, quantile } from '../../../model/dora.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-30T00:00:00Z');
const HOUR = 3_600_000;

/** A ledger written in the shapes register-release, promote and rollback append. */
function ledger() {
  const entries: StoredLedgerEntry[] = [];
  const add = (e: Omit<StoredLedgerEntry, 'seq' | 'pipeline' | 'idempotencyKey'>) =>
    entries.push({ ...e, seq: entries.length + 1, pipeline: 'p', idempotencyKey: String(entries.length) });
  const iso = (t: number) => new Date(t).toISOString();
  return {
    entries,
    release(version: string, committed: number, at: number) {
      add({
        kind: 'release',
        at: iso(at),
        releaseVersion: version,
        executionArn: `arn:${version}`,
        data: { commitTime: iso(committed) },
      });
    },
    promote(env: string, version: string, at: number) {
      add({
        kind: 'promotion',
        at: iso(at),
        environment: env,
        releaseVersion: version,
        executionArn: `arn:${version}`,
        data: {},
      });
    },
    rollback(env: string, version: string, at: number, restoredVersion: string | null) {
      add({
        kind: 'rollback',
        at: iso(at),
        environment: env,
        releaseVersion: version,
        executionArn: `arn:${version}`,
        data: {
          failedVersion: version,
          restoredVersion,
          action: restoredVersion ? 'redeployed' : 'nothing-running',
        },
      });
    },
  };
}

describe('doraMeasures', () => {
  it('returns frequency, lead time, failure rate and time to restore per environment when releases fail and recover', () => {
    // Arrange: r1 and r2 reach prod; r3 fails in prod and is rolled back; r4 fixes it 5 h later
    const l = ledger();
    const t0 = NOW - 20 * DAY;
    l.release('r1-a', t0 - 2 * HOUR, t0);
    l.promote('test', 'r1-a', t0 + HOUR);
    l.promote('prod', 'r1-a', t0 + 2 * HOUR);
    l.release('r2-b', t0 + DAY - HOUR, t0 + DAY);
    l.promote('test', 'r2-b', t0 + DAY + HOUR);
    l.promote('prod', 'r2-b', t0 + DAY + 3 * HOUR);
    l.release('r3-c', t0 + 2 * DAY, t0 + 2 * DAY);
    l.promote('test', 'r3-c', t0 + 2 * DAY + HOUR);
    l.rollback('prod', 'r3-c', t0 + 2 * DAY + 2 * HOUR, 'r2-b');
    l.release('r4-d', t0 + 2 * DAY + 3 * HOUR, t0 + 2 * DAY + 3 * HOUR);
    l.promote('test', 'r4-d', t0 + 2 * DAY + 4 * HOUR);
    l.promote('prod', 'r4-d', t0 + 2 * DAY + 7 * HOUR);
    // Act
    const report = doraMeasures(l.entries, ['test', 'prod'], { now: NOW, days: 28 });
    // Assert
    const [test, prod] = report.environments;
    expect(test).toMatchObject({
      environment: 'test',
      deployments: 4,
      failedDeployments: 0,
      changeFailureRate: 0,
    });
    expect(prod).toMatchObject({
      environment: 'prod',
      deployments: 3,
      deploymentsPerWeek: 0.75,
      failedDeployments: 1,
      changeFailureRate: 0.25,
      timeToRestore: { medianMs: 5 * HOUR, samples: 1 },
    });
    // Lead times into prod: 4 h, 4 h, 4 h (commit → promotion)
    expect(prod!.leadTime).toEqual({ medianMs: 4 * HOUR, p90Ms: 4 * HOUR, samples: 3 });
    expect(prod!.weeks).toHaveLength(4);
    expect(prod!.weeks.reduce((n, w) => n + w.deployments, 0)).toBe(3);
    expect(prod!.weeks.reduce((n, w) => n + w.failures, 0)).toBe(1);
  });

  it('returns nulls, not zeros, for an environment nothing reached in the window', () => {
    // Arrange
    const l = ledger();
    l.release('r1-a', NOW - 100 * DAY, NOW - 100 * DAY);
    l.promote('prod', 'r1-a', NOW - 99 * DAY);
    // Act
    const [prod] = doraMeasures(l.entries, ['prod'], { now: NOW, days: 30 }).environments;
    // Assert
    expect(prod).toMatchObject({
      deployments: 0,
      changeFailureRate: null,
      leadTime: { medianMs: null, samples: 0 },
      timeToRestore: { medianMs: null, samples: 0 },
    });
  });

  it('counts one failure per run when a run records both deploy-failed and rollback', () => {
    // Arrange
    const l = ledger();
    l.rollback('prod', 'r5-e', NOW - DAY, 'r4-d');
    l.rollback('prod', 'r5-e', NOW - DAY + 1000, 'r4-d');
    // Act
    const [prod] = doraMeasures(l.entries, ['prod'], { now: NOW, days: 7 }).environments;
    // Assert
    expect(prod).toMatchObject({ failedDeployments: 1, changeFailureRate: 1 });
  });

  it('throws a one-line error for a window that is not a whole number of days', () => {
    expect(() => doraMeasures([], ['prod'], { now: NOW, days: 0 })).toThrow(/days must be a whole number/);
    expect(() => doraMeasures([], ['prod'], { now: NOW, days: 1.5 })).toThrow(/days must be a whole number/);
  });
});

describe('quantile', () => {
  it('returns the nearest-rank value of sorted samples', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([], 0.5)).toBeNull();
  });
});
