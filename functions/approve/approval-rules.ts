import { type Refusal, RefusalCode } from '../shared/approvals/errors.js';
import {
  type Caller,
  type Identities,
  isCommitAuthor,
  matchApprover,
  principalOf,
} from '../shared/approvals/identity.js';
import type { ApprovalRecord } from '../shared/ports/approval-store.js';

/**
 * The identity and state rules, in the order a person would want to hear about them: an approval
 * that is over is over, whoever asks. Returns the matched `approvers` entry when the vote may count.
 */
export function checkVote(
  record: ApprovalRecord | undefined,
  id: string,
  caller: Caller,
  now: Date,
  identities: Identities = {},
): { refusal: Refusal } | { as: string } {
  const who = principalOf(caller);
  if (!record) {
    return { refusal: { code: RefusalCode.UnknownApproval, reason: `there is no approval with id ${id}` } };
  }
  if (record.status !== 'pending') {
    const detail = record.closeReason ? `: ${record.closeReason}` : '';
    return {
      refusal: {
        code: RefusalCode.NotPending,
        reason: `approval ${id} is already ${record.status}${detail}`,
      },
    };
  }
  if (now.getTime() >= Date.parse(record.expiresAt)) {
    return {
      refusal: {
        code: RefusalCode.Expired,
        reason: `approval ${id} expired at ${record.expiresAt}; the run ends as rejected: expired`,
      },
    };
  }
  const as = matchApprover(caller, record.approvers, identities);
  if (!as) {
    return {
      refusal: {
        code: RefusalCode.NotAnApprover,
        reason: `${who} is not on the approvers list of ${record.environment}`,
      },
    };
  }
  if (!record.allowSelfApproval && isCommitAuthor(caller, record.commit.author, identities)) {
    return {
      refusal: {
        code: RefusalCode.SelfApproval,
        reason: `${who} authored commit ${record.commit.commit.slice(0, 7)} and ${record.environment} does not allow self-approval`,
      },
    };
  }
  const earlier = record.votes.find((v) => v.as === as);
  if (earlier) {
    return {
      refusal: {
        code: RefusalCode.DoubleVote,
        reason: `${as} already voted (${earlier.decision} at ${earlier.at}); one vote per approver`,
      },
    };
  }
  return { as };
}

/** Quorum counts distinct approvers entries; one reject ends the approval. */
export function outcomeAfter(
  record: ApprovalRecord,
  decision: 'approve' | 'reject',
  as: string,
): 'pending' | 'approved' | 'rejected' {
  if (decision === 'reject') return 'rejected';
  const distinct = new Set(record.votes.filter((v) => v.decision === 'approve').map((v) => v.as));
  distinct.add(as);
  return distinct.size >= record.minApprovals ? 'approved' : 'pending';
}
