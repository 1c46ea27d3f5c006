import { describe, expect, it } from 'vitest';
import {
  currentRelease,
  promotionHistory,
  releaseStory,
} from '../../../../../functions/shared/ledger/ledger-queries.js';
import type { LedgerEntry, StoredLedgerEntry } from '../../../../../functions/shared/ports/ledger.js';

let seq = 0;
const stored = (e: Omit<LedgerEntry, 'pipeline' | 'idempotencyKey'>): StoredLedgerEntry => ({
  pipeline: 'orders',
  idempotencyKey: `k${++seq}`,
  seq,
  ...e,
});
const promotion = (version: string, at: string, run: string, environment = 'prod') =>
  stored({ kind: 'promotion', at, environment, releaseVersion: version, executionArn: run, data: {} });
const approved = (run: string, approvedBy: string[], environment = 'prod') =>
  stored({
    kind: 'approval-decision',
    at: '2026-01-01T00:00:00.000Z',
    environment,
    executionArn: run,
    data: { outcome: 'approved', approvedBy },
  });
const rollback = (failed: string, restored: string | null, action: string, at: string, run: string) =>
  stored({
    kind: 'rollback',
    at,
    environment: 'prod',
    releaseVersion: failed,
    executionArn: run,
    data: {
      failedVersion: failed,
      restoredVersion: restored,
      action,
      reason: { error: 'Tollgate.SmokeTestFailed' },
    },
  });

describe('currentRelease', () => {
  it('returns the last promotion with who approved it and from which run', () => {
    // Arrange
    const entries = [
      approved('run-1', ['bob']),
      promotion('r1', '2026-01-01T01:00:00.000Z', 'run-1'),
      promotion('r1', '2026-01-01T01:00:00.000Z', 'run-1', 'test'),
      approved('run-2', ['bob', 'carol']),
      promotion('r2', '2026-01-02T01:00:00.000Z', 'run-2'),
    ];
    // Act
    const current = currentRelease(entries, 'prod');
    // Assert
    expect(current).toEqual({
      version: 'r2',
      since: '2026-01-02T01:00:00.000Z',
      approvedBy: ['bob', 'carol'],
      executionArn: 'run-2',
      via: 'promotion',
    });
  });

  it('returns the restored release, its original approvers and the rollback time after a rollback', () => {
    // Arrange
    const entries = [
      approved('run-1', ['bob']),
      promotion('r1', '2026-01-01T01:00:00.000Z', 'run-1'),
      promotion('r2', '2026-01-02T01:00:00.000Z', 'run-2'),
      rollback('r3', 'r1', 'redeployed', '2026-01-03T01:00:00.000Z', 'run-3'),
    ];
    // Act
    const current = currentRelease(entries, 'prod');
    // Assert
    expect(current).toEqual({
      version: 'r1',
      since: '2026-01-03T01:00:00.000Z',
      approvedBy: ['bob'],
      executionArn: 'run-1',
      via: 'rollback',
      restoredBy: 'run-3',
    });
  });

  it('keeps the current release and its time when the rollback found it still serving', () => {
    const entries = [
      promotion('r1', '2026-01-01T01:00:00.000Z', 'run-1'),
      rollback('r2', 'r1', 'already-serving', '2026-01-02T00:00:00.000Z', 'run-2'),
    ];
    expect(currentRelease(entries, 'prod')).toMatchObject({
      version: 'r1',
      since: '2026-01-01T01:00:00.000Z',
      via: 'promotion',
    });
  });

  it('returns null when nothing was promoted or a rollback stopped the environment', () => {
    expect(currentRelease([], 'prod')).toBeNull();
    expect(
      currentRelease(
        [
          promotion('r1', '2026-01-01T00:00:00.000Z', 'run-1'),
          rollback('r1', null, 'stopped', '2026-01-01T01:00:00.000Z', 'run-1'),
        ],
        'prod',
      ),
    ).toBeNull();
  });
});

describe('promotionHistory', () => {
  it('lists promotions and rollbacks in order with the version each replaced', () => {
    // Arrange
    const entries = [
      promotion('r1', '2026-01-01T00:00:00.000Z', 'run-1'),
      approved('run-2', ['carol']),
      promotion('r2', '2026-01-02T00:00:00.000Z', 'run-2'),
      rollback('r3', 'r2', 'redeployed', '2026-01-03T00:00:00.000Z', 'run-3'),
    ];
    // Act
    const history = promotionHistory(entries, 'prod');
    // Assert
    expect(history.map((h) => [h.kind, h.version, h.previousVersion, h.approvedBy])).toEqual([
      ['promotion', 'r1', null, []],
      ['promotion', 'r2', 'r1', ['carol']],
      ['rollback', 'r2', 'r2', ['carol']],
    ]);
    expect(history[2].failedVersion).toBe('r3');
  });
});

describe('releaseStory', () => {
  it('gathers a release entry, its promotions with approvers and where it runs now', () => {
    // Arrange
    const release = stored({
      kind: 'release',
      at: '2026-01-01T00:00:00.000Z',
      releaseVersion: 'r1',
      executionArn: 'run-1',
      data: { digest: 'sha256:x' },
    });
    const entries = [
      release,
      promotion('r1', '2026-01-01T00:10:00.000Z', 'run-1', 'test'),
      approved('run-1', ['bob']),
      promotion('r1', '2026-01-01T01:00:00.000Z', 'run-1'),
      promotion('r2', '2026-01-02T00:00:00.000Z', 'run-2', 'test'),
    ];
    // Act
    const story = releaseStory(entries, 'r1');
    // Assert
    expect(story.release).toEqual(release);
    expect(story.promotions).toEqual([
      { environment: 'test', at: '2026-01-01T00:10:00.000Z', executionArn: 'run-1', approvedBy: [] },
      { environment: 'prod', at: '2026-01-01T01:00:00.000Z', executionArn: 'run-1', approvedBy: ['bob'] },
    ]);
    expect(story.currentlyIn).toEqual(['prod']);
  });
});
