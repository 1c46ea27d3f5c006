import { describe, expect, it } from 'vitest';
import type { StoredLedgerEntry } from '../../../functions/shared/ports/ledger.js';
import { approvalEndWords, approvalHistory } from '../../../model/approval-history.js';

let seq = 0;
const entry = (
  kind: StoredLedgerEntry['kind'],
  at: string,
  data: Record<string, unknown>,
  actor = 'tollgate',
) =>
  ({
    kind,
    pipeline: 'orders',
    at,
    executionArn: 'arn:aws:states:us-east-1:000000000000:execution:tollgate-orders:run-1',
    environment: 'prod',
    releaseVersion: 'r1-abc',
    actor,
    data,
    seq: ++seq,
  }) as StoredLedgerEntry;

describe('approvalHistory', () => {
  it('returns each ended approval newest first, saying how it ended and why', () => {
    // Arrange
    const entries = [
      entry('approval-requested', '2026-12-01T10:00:00Z', { approvalId: 'a1' }),
      entry(
        'approval-decision',
        '2026-12-01T10:05:00Z',
        { approvalId: 'a1', decision: 'approve', outcome: 'pending' },
        'ana',
      ),
      entry(
        'approval-decision',
        '2026-12-01T10:06:00Z',
        { approvalId: 'a1', decision: 'reject', outcome: 'rejected', comment: 'not today' },
        'ben',
      ),
      entry('approval-decision', '2026-12-02T10:00:00Z', {
        approvalId: 'a2',
        decision: 'expired',
        outcome: 'expired',
        reason: 'no decision within the approval timeout of 86400s',
      }),
      entry('approval-cancelled', '2026-12-02T11:00:00Z', {
        approvalId: 'a3',
        reason: 'superseded by a newer commit',
      }),
      entry('approval-closed', '2026-12-02T12:00:00Z', { approvalId: 'a4', reason: 'run ended FAILED' }),
      entry(
        'approval-decision',
        '2026-12-02T13:00:00Z',
        { approvalId: 'a5', decision: 'approve', outcome: 'approved', comment: '' },
        'ana',
      ),
      entry('approval-decision', '2026-12-02T13:00:01Z', {
        approvalId: 'a5',
        outcome: 'approved',
        event: 'delivery-failed',
      }),
    ];
    // Act
    const history = approvalHistory(entries);
    // Assert
    expect(history.map((h) => [h.approvalId, h.outcome, h.actor, h.reason])).toEqual([
      ['a5', 'approved', 'ana', null],
      ['a4', 'closed', 'tollgate', 'run ended FAILED'],
      ['a3', 'cancelled', 'tollgate', 'superseded by a newer commit'],
      ['a2', 'expired', 'tollgate', 'no decision within the approval timeout of 86400s'],
      ['a1', 'rejected', 'ben', 'not today'],
    ]);
    expect(approvalEndWords('expired')).toBe('expired: nobody decided in time');
  });

  it('returns the latest end of an approval a redrive reopened', () => {
    // Arrange
    const entries = [
      entry('approval-closed', '2026-12-02T12:00:00Z', { approvalId: 'a1', reason: 'run ended FAILED' }),
      entry(
        'approval-decision',
        '2026-12-02T14:00:00Z',
        { approvalId: 'a1', decision: 'approve', outcome: 'approved' },
        'ana',
      ),
    ];
    // Act / Assert
    expect(approvalHistory(entries).map((h) => h.outcome)).toEqual(['approved']);
  });
});
