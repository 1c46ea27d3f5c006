import { InvalidInputError } from '../errors.js';
import type { ApprovalChange, ApprovalRecord, NewApproval } from '../ports/approval-store.js';
import { assertApprovalId } from './approval-id.js';
import { ApprovalStateError } from './errors.js';

const FINAL_DECISIONS = new Set(['approved', 'rejected']);

/**
 * The one place that decides which changes a record allows. Both stores call it inside their
 * compare-and-swap, so the rule "a record leaves pending once" holds whatever adapter is used.
 */
export function applyChange(record: ApprovalRecord, change: ApprovalChange): ApprovalRecord {
  const next = { revision: record.revision + 1 };
  switch (change.type) {
    case 'vote': {
      requirePending(record, 'record a vote on');
      const final = change.outcome !== 'pending';
      return {
        ...record,
        ...next,
        votes: [...record.votes, change.vote],
        status: change.outcome,
        ...(final ? { decidedAt: change.vote.at, delivery: { state: 'pending', at: change.vote.at } } : {}),
      };
    }
    case 'cancel':
      requirePending(record, 'cancel');
      return {
        ...record,
        ...next,
        status: 'cancelled',
        decidedAt: change.at,
        closeReason: change.reason,
        ...(change.supersededBy ? { supersededBy: change.supersededBy } : {}),
        delivery: { state: 'pending', at: change.at },
      };
    case 'close':
      // No delivery: the run has ended, so there is nobody to tell; the token is discarded.
      requirePending(record, 'close');
      return { ...record, ...next, status: 'closed', decidedAt: change.at, closeReason: change.reason };
    case 'expire': {
      // A decision that never reached the run (its SendTask* failed) loses to the run's own timeout.
      const undelivered = FINAL_DECISIONS.has(record.status) && record.delivery?.state !== 'delivered';
      if (record.status !== 'pending' && !undelivered) {
        throw new ApprovalStateError(`cannot expire approval ${record.id}: it is already ${record.status}`);
      }
      return { ...record, ...next, status: 'expired', decidedAt: change.at, closeReason: change.reason };
    }
    case 'delivery':
      if (record.status === 'pending' || record.status === 'expired') {
        throw new ApprovalStateError(
          `approval ${record.id} is ${record.status}; there is no decision to deliver`,
        );
      }
      return { ...record, ...next, delivery: change.delivery };
    default:
      throw new InvalidInputError(
        `unknown approval change ${JSON.stringify((change as { type?: unknown }).type)}`,
      );
  }
}

function requirePending(record: ApprovalRecord, what: string): void {
  if (record.status !== 'pending') {
    throw new ApprovalStateError(`cannot ${what} approval ${record.id}: it is already ${record.status}`);
  }
}

/** Checks a new approval before a store writes anything. */
export function validateNewApproval(approval: NewApproval): void {
  if (!approval || typeof approval !== 'object') throw new InvalidInputError('approval must be an object');
  assertApprovalId(approval.id);
  for (const key of ['pipeline', 'executionArn', 'stateName', 'environment'] as const) {
    if (typeof approval[key] !== 'string' || !approval[key])
      throw new InvalidInputError(`approval needs a ${key}`);
  }
  if (!Array.isArray(approval.approvers) || approval.approvers.length === 0)
    throw new InvalidInputError('approval needs at least one approver');
  if (
    !Number.isInteger(approval.minApprovals) ||
    approval.minApprovals < 1 ||
    approval.minApprovals > approval.approvers.length
  )
    throw new InvalidInputError(
      `approval minApprovals must be an integer between 1 and the number of approvers (${approval.approvers.length})`,
    );
  for (const key of ['requestedAt', 'expiresAt'] as const) {
    if (typeof approval[key] !== 'string' || Number.isNaN(Date.parse(approval[key])))
      throw new InvalidInputError(`approval ${key} must be an ISO 8601 time`);
  }
  if (Date.parse(approval.expiresAt) <= Date.parse(approval.requestedAt))
    throw new InvalidInputError('approval expiresAt must be after requestedAt');
}

/** The pending record a store writes for a new approval. */
export function pendingRecord(approval: NewApproval, hash: string): ApprovalRecord {
  return { ...approval, status: 'pending', votes: [], tokenHash: hash, revision: 1 };
}

/**
 * A redriven run asks again for an approval that was closed when the run ended: it starts over
 * (new window, no votes; the earlier votes stay in the ledger), under the next revision.
 */
export function reopenedRecord(closed: ApprovalRecord, approval: NewApproval, hash: string): ApprovalRecord {
  return { ...pendingRecord(approval, hash), revision: closed.revision + 1 };
}
