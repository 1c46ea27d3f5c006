import type { ApprovalRecord } from '../ports/approval-store.js';
import type { LedgerEntry, LedgerEntryKind } from '../ports/ledger.js';

/**
 * Ledger entries about one approval. Each carries the run, environment and release so the audit
 * queries can find it without the approval store, which TTL eventually empties.
 */
export function approvalEntry(
  kind: LedgerEntryKind,
  record: ApprovalRecord,
  fields: { at: string; actor: string; idempotencyKey: string; data: Record<string, unknown> },
): LedgerEntry {
  return {
    kind,
    pipeline: record.pipeline,
    at: fields.at,
    executionArn: record.executionArn,
    environment: record.environment,
    releaseVersion: record.release.version,
    actor: fields.actor,
    idempotencyKey: fields.idempotencyKey,
    data: {
      approvalId: record.id,
      commit: record.commit.commit,
      minApprovals: record.minApprovals,
      ...fields.data,
    },
  };
}

/** Distinct attempts stay distinct entries; a retried write of the same attempt is a no-op. */
export function attemptKey(approvalId: string, attemptId: string): string {
  return `approval#${approvalId}#attempt#${attemptId}`;
}
