import { describe, expect, it } from 'vitest';
import {
  releaseRows,
  releasesCarrying,
  whereFeature,
} from '../../../../../functions/shared/ledger/release-queries.js';
import type { LedgerEntry, StoredLedgerEntry } from '../../../../../functions/shared/ports/ledger.js';

/** Ledger entries as register-release and promote write them, in append order. */
function ledger() {
  const entries: StoredLedgerEntry[] = [];
  let minute = 0;
  const add = (entry: Omit<LedgerEntry, 'pipeline' | 'at' | 'idempotencyKey'>) => {
    const at = new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
    entries.push({
      pipeline: 'orders',
      at,
      idempotencyKey: `k${entries.length}`,
      ...entry,
      seq: entries.length + 1,
    });
    return at;
  };
  return {
    entries,
    release: (version: string, features: Record<string, { since: string | null; ids: string[] }>) => {
      add({
        kind: 'release',
        releaseVersion: version,
        executionArn: `run-${version}`,
        data: { commit: `c-${version}`, digest: `d-${version}`, builtAt: '2026-01-01T00:00:00.000Z' },
      });
      add({
        kind: 'release-contents',
        releaseVersion: version,
        executionArn: `run-${version}`,
        data: {
          environments: Object.entries(features).map(([environment, f]) => ({
            environment,
            since: f.since,
            features: f.ids.map((id) => ({ id, commits: [] })),
          })),
        },
      });
    },
    promote: (version: string, environment: string, run = `run-${version}`) =>
      add({ kind: 'promotion', releaseVersion: version, environment, executionArn: run, data: {} }),
  };
}

describe('release queries', () => {
  it('returns releases newest first with where each runs now', () => {
    // Arrange
    const l = ledger();
    l.release('r1-aaaaaaa', { test: { since: null, ids: [] }, prod: { since: null, ids: [] } });
    l.promote('r1-aaaaaaa', 'test');
    l.promote('r1-aaaaaaa', 'prod');
    l.release('r2-bbbbbbb', {
      test: { since: 'r1-aaaaaaa', ids: [] },
      prod: { since: 'r1-aaaaaaa', ids: [] },
    });
    l.promote('r2-bbbbbbb', 'test');
    // Act
    const rows = releaseRows(l.entries, 'orders');
    // Assert
    expect(rows.map((r) => [r.version, r.digest, r.runningIn])).toEqual([
      ['r2-bbbbbbb', 'd-r2-bbbbbbb', ['test']],
      ['r1-aaaaaaa', 'd-r1-aaaaaaa', ['prod']],
    ]);
  });

  it('returns the releases naming a feature and every later release built on them, not an older one redeployed', () => {
    // Arrange
    const l = ledger();
    l.release('r1-aaaaaaa', { prod: { since: null, ids: ['ORD-1'] } });
    l.release('r2-bbbbbbb', { prod: { since: 'r1-aaaaaaa', ids: ['ORD-2'] } });
    l.release('r3-ccccccc', { prod: { since: 'r2-bbbbbbb', ids: [] } });
    // a redeploy of r1 over r3: adds nothing, inherits nothing
    l.release('r1-aaaaaaa', { prod: { since: 'r3-ccccccc', ids: [] } });
    // Act / Assert
    expect([...releasesCarrying(l.entries, 'orders', 'ORD-2')].sort()).toEqual(['r2-bbbbbbb', 'r3-ccccccc']);
    expect([...releasesCarrying(l.entries, 'orders', 'ORD-1')].sort()).toEqual([
      'r1-aaaaaaa',
      'r2-bbbbbbb',
      'r3-ccccccc',
    ]);
    expect(releasesCarrying(l.entries, 'orders', 'ORD-9').size).toBe(0);
  });

  it('returns exactly the environments running a release with the feature, since the first of the unbroken stretch', () => {
    // Arrange
    const l = ledger();
    l.release('r1-aaaaaaa', { test: { since: null, ids: [] }, prod: { since: null, ids: [] } });
    l.promote('r1-aaaaaaa', 'test');
    l.promote('r1-aaaaaaa', 'prod');
    l.release('r2-bbbbbbb', {
      test: { since: 'r1-aaaaaaa', ids: ['ORD-2'] },
      prod: { since: 'r1-aaaaaaa', ids: ['ORD-2'] },
    });
    const inTest = l.promote('r2-bbbbbbb', 'test');
    l.release('r3-ccccccc', {
      test: { since: 'r2-bbbbbbb', ids: [] },
      prod: { since: 'r1-aaaaaaa', ids: [] },
    });
    l.promote('r3-ccccccc', 'test');
    // Act
    const where = whereFeature(l.entries, 'orders', 'ORD-2');
    // Assert
    expect(where).toEqual([
      { environment: 'test', version: 'r3-ccccccc', since: inTest, executionArn: 'run-r2-bbbbbbb' },
    ]);
  });
});
