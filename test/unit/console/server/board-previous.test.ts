import { describe, expect, it } from 'vitest';
import { deliveryBoard } from '../../../../console/server/board-view.js';
import type { StoredLedgerEntry } from '../../../../functions/shared/ports/ledger.js';

let seq = 0;
const entry = (kind: string, version: string, data: Record<string, unknown> = {}): StoredLedgerEntry => ({
  kind: kind as StoredLedgerEntry['kind'],
  pipeline: 'orders',
  at: `2026-01-01T00:00:${String(++seq).padStart(2, '0')}.000Z`,
  executionArn: `arn:aws:states:local:000000000000:execution:orders:run-${seq}`,
  environment: 'prod',
  releaseVersion: version,
  actor: 'tollgate',
  data,
  idempotencyKey: `k${seq}`,
  seq,
});
const previousOf = (entries: StoredLedgerEntry[]) =>
  deliveryBoard(entries, ['prod'], [], () => null)[0]!.previous;

describe('deliveryBoard: the release a lane ran before', () => {
  it('returns the release promoted before the current one', () => {
    // Arrange
    const entries = [entry('promotion', 'r1-aaaaaaa'), entry('promotion', 'r2-bbbbbbb')];
    // Act
    const previous = previousOf(entries);
    // Assert
    expect(previous).toBe('r1-aaaaaaa');
  });

  it('returns the failed release after a rollback put the earlier one back, and none before any promotion', () => {
    // Arrange
    const rolledBack = [
      entry('promotion', 'r1-aaaaaaa'),
      entry('promotion', 'r2-bbbbbbb'),
      entry('rollback', 'r2-bbbbbbb', { restoredVersion: 'r1-aaaaaaa', action: 'redeployed' }),
    ];
    // Act
    const previous = previousOf(rolledBack);
    // Assert
    expect(previous).toBe('r2-bbbbbbb');
    expect(previousOf([])).toBeNull();
    expect(previousOf([entry('promotion', 'r1-aaaaaaa')])).toBeNull();
  });

  it('skips a rollback that kept the running release and a second promotion of the same one', () => {
    // Arrange
    const entries = [
      entry('promotion', 'r1-aaaaaaa'),
      entry('promotion', 'r2-bbbbbbb'),
      entry('promotion', 'r2-bbbbbbb'),
      entry('rollback', 'r3-ccccccc', { restoredVersion: 'r2-bbbbbbb', action: 'already-serving' }),
    ];
    // Act
    const previous = previousOf(entries);
    // Assert
    expect(previous).toBe('r1-aaaaaaa');
  });
});
