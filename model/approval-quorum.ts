import type { ApprovalRecord } from '../functions/shared/ports/approval-store.js';

/**
 * Where a pending approval stands: the votes cast so far, how many approvals the quorum still
 * needs, and which approver entries have not voted yet. Quorum counts distinct approver entries
 * (`as`), as approve does (functions/approve/approve.ts); the commit's author is left out of who
 * can still vote unless self-approval is allowed. Author and approver are compared by e-mail and
 * by name here; approve also maps identities through the config, so its verdict is the final one.
 */
export interface QuorumView {
  readonly needed: number;
  readonly approvals: number;
  readonly stillNeeded: number;
  readonly votes: ReadonlyArray<{
    readonly as: string;
    readonly approver: string;
    readonly decision: 'approve' | 'reject';
    readonly comment: string;
    readonly at: string;
  }>;
  /** Approver entries that have not voted and may. */
  readonly canStillVote: readonly string[];
  /** Approver entries left out because they name the commit's author. */
  readonly author: readonly string[];
}

type QuorumInput = Pick<ApprovalRecord, 'approvers' | 'minApprovals' | 'allowSelfApproval' | 'votes'> & {
  readonly commit?: { readonly author?: { readonly name?: string; readonly email?: string } };
};

export function quorumView(record: QuorumInput): QuorumView {
  const voted = new Set(record.votes.map((v) => v.as));
  const approvals = new Set(record.votes.filter((v) => v.decision === 'approve').map((v) => v.as)).size;
  const authorNames = new Set(
    [record.commit?.author?.email, record.commit?.author?.name]
      .filter((n): n is string => typeof n === 'string' && n !== '')
      .map((n) => n.toLowerCase()),
  );
  const isAuthor = (entry: string) => !record.allowSelfApproval && authorNames.has(entry.toLowerCase());
  const open = record.approvers.filter((a) => !voted.has(a));
  const needed = Math.max(1, record.minApprovals);
  return {
    needed,
    approvals,
    stillNeeded: Math.max(0, needed - approvals),
    votes: record.votes.map((v) => ({
      as: v.as,
      approver: v.approver,
      decision: v.decision,
      comment: v.comment,
      at: v.at,
    })),
    canStillVote: open.filter((a) => !isAuthor(a)),
    author: open.filter(isAuthor),
  };
}
