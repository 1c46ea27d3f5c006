import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';

/**
 * How each decided approval ended, newest first, for the inbox's history: approved, rejected,
 * expired (no decision within the timeout), cancelled (a newer commit superseded the run) or
 * closed (the run ended while it waited). Read from the ledger, which outlives the approval store.
 */
type ApprovalEnd = 'approved' | 'rejected' | 'expired' | 'cancelled' | 'closed';

export interface ApprovalHistoryItem {
  readonly approvalId: string;
  readonly outcome: ApprovalEnd;
  readonly at: string;
  readonly environment: string | null;
  readonly releaseVersion: string | null;
  readonly executionArn: string | null;
  /** Who decided (the deciding vote), or `tollgate` for an expiry, cancel or close. */
  readonly actor: string | null;
  /** The decider's comment, or why it expired, was cancelled or closed. */
  readonly reason: string | null;
}

const END_WORDS: Readonly<Record<ApprovalEnd, string>> = {
  approved: 'approved',
  rejected: 'rejected',
  expired: 'expired: nobody decided in time',
  cancelled: 'cancelled: superseded',
  closed: 'closed: the run ended',
};

/** How the inbox says an approval ended. */
export function approvalEndWords(outcome: string): string {
  return END_WORDS[outcome as ApprovalEnd] ?? outcome;
}

const END_OUTCOMES = new Set<string>(['approved', 'rejected', 'expired']);

export function approvalHistory(entries: readonly StoredLedgerEntry[], limit = 100): ApprovalHistoryItem[] {
  const ended = new Map<string, ApprovalHistoryItem>();
  for (const e of entries) {
    const id = typeof e.data.approvalId === 'string' ? e.data.approvalId : null;
    if (!id) continue;
    let outcome: ApprovalEnd | null = null;
    if (
      e.kind === 'approval-decision' &&
      typeof e.data.outcome === 'string' &&
      END_OUTCOMES.has(e.data.outcome)
    )
      // A failed delivery repeats the outcome; the deciding vote is the entry to keep.
      outcome = e.data.event === 'delivery-failed' ? null : (e.data.outcome as ApprovalEnd);
    else if (e.kind === 'approval-cancelled') outcome = 'cancelled';
    else if (e.kind === 'approval-closed') outcome = 'closed';
    // A redriven run reopens a closed approval: its latest end is the one that holds.
    if (!outcome) continue;
    const comment = typeof e.data.comment === 'string' && e.data.comment ? e.data.comment : null;
    const reason = typeof e.data.reason === 'string' ? e.data.reason : null;
    ended.set(id, {
      approvalId: id,
      outcome,
      at: e.at,
      environment: e.environment ?? null,
      releaseVersion: e.releaseVersion ?? null,
      executionArn: e.executionArn ?? null,
      actor: e.actor ?? null,
      reason: comment ?? reason,
    });
  }
  return [...ended.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}
