import type { Clock } from '../clock.js';
import { LockConflictError, type TollgateErrorName } from '../errors.js';
import type { ApprovalRecord, ApprovalStore } from '../ports/approval-store.js';
import type { TaskCallback } from '../ports/task-callback.js';
import { ApprovalCallbackError } from './errors.js';

// Typed by the error catalogue: the ASL catches these by name, so they must be names it knows.
export const APPROVAL_REJECTED: TollgateErrorName = 'Tollgate.ApprovalRejected';
export const APPROVAL_CANCELLED: TollgateErrorName = 'Tollgate.ApprovalCancelled';

export interface DeliveryPorts {
  readonly approvals: ApprovalStore;
  readonly callback: TaskCallback;
  readonly clock: Clock;
}

export type DeliveryResult =
  | { readonly delivered: true }
  | { readonly delivered: false; readonly error: string };

/**
 * Sends a decided record's outcome to the waiting run, then notes the delivery on the record and
 * throws the token away. Runs after the store has made the decision final, so however many callers
 * race, only the one whose compare-and-swap won gets here. A failed send is recorded on the record
 * (record-approval-timeout may then still expire it) and reported, never retried blindly.
 */
export async function deliverDecision(
  record: ApprovalRecord,
  ports: DeliveryPorts,
  /** A re-invoked gate's fresh token, which the store does not hold (its record is already decided). */
  freshToken?: string,
): Promise<DeliveryResult> {
  const token = freshToken ?? (await ports.approvals.readToken(record.id));
  let result: DeliveryResult;
  if (token === undefined) {
    result = { delivered: false, error: 'no task token is stored for this approval' };
  } else {
    try {
      await send(record, token, ports.callback);
      result = { delivered: true };
    } catch (error) {
      if (!(error instanceof ApprovalCallbackError)) throw error;
      result = { delivered: false, error: error.message };
    }
  }
  await noteDelivery(record, result, ports);
  if (result.delivered && freshToken === undefined) await ports.approvals.discardToken(record.id);
  return result;
}

async function send(record: ApprovalRecord, token: string, callback: TaskCallback): Promise<void> {
  if (record.status === 'approved') {
    const approvals = record.votes
      .filter((v) => v.decision === 'approve')
      .map((v) => ({ approver: v.approver, at: v.at, comment: v.comment }));
    await callback.sendSuccess(token, { decision: 'approved', approvals });
    return;
  }
  if (record.status === 'rejected') {
    const vote = record.votes[record.votes.length - 1];
    await callback.sendFailure(
      token,
      APPROVAL_REJECTED,
      JSON.stringify({ approver: vote.approver, comment: vote.comment, at: vote.at }),
    );
    return;
  }
  if (record.status === 'cancelled') {
    await callback.sendFailure(
      token,
      APPROVAL_CANCELLED,
      JSON.stringify({
        reason: record.closeReason ?? 'cancelled',
        supersededBy: record.supersededBy ?? null,
      }),
    );
    return;
  }
  throw new ApprovalCallbackError(
    'task-gone',
    `approval ${record.id} is ${record.status}; nothing to deliver`,
  );
}

async function noteDelivery(
  record: ApprovalRecord,
  result: DeliveryResult,
  ports: DeliveryPorts,
): Promise<void> {
  const delivery = {
    state: result.delivered ? ('delivered' as const) : ('failed' as const),
    at: ports.clock.now().toISOString(),
    ...(result.delivered ? {} : { error: result.error }),
  };
  let current: ApprovalRecord | undefined = record;
  for (let attempt = 0; attempt < 5 && current; attempt++) {
    // Only record-approval-timeout can race us here (expiring an undelivered decision); if it won,
    // the record already says what happened.
    if (current.status === 'expired') return;
    try {
      await ports.approvals.update(current.id, current.revision, { type: 'delivery', delivery });
      return;
    } catch (error) {
      if (!(error instanceof LockConflictError)) throw error;
      current = await ports.approvals.get(record.id);
    }
  }
}
