import { isApprovalId } from '../shared/approvals/approval-id.js';
import { approvalEntry, attemptKey } from '../shared/approvals/approval-ledger.js';
import { deliverDecision } from '../shared/approvals/deliver-decision.js';
import { ApprovalStateError, type Refusal, type RefusalCode } from '../shared/approvals/errors.js';
import { assertCaller, type Caller, identityOf, principalOf } from '../shared/approvals/identity.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError, LockConflictError } from '../shared/errors.js';
import type { ApprovalRecord, ApprovalStore, ApprovalVote } from '../shared/ports/approval-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { TaskCallback } from '../shared/ports/task-callback.js';
import { checkVote, outcomeAfter } from './approval-rules.js';
import { closeIfRunEnded } from './run-ended.js';

/**
 * approve: one person's approve or reject on one approval.
 *
 * Input:  { approvalId, decision: 'approve'|'reject', comment, caller: Caller, attemptId }
 * Output: { outcome: 'refused', code, reason } | { outcome: 'recorded' | 'decided', status, approvals,
 *           needed, delivered? } — always with approvalId and ledgerSeq.
 *
 * A vote on an approval whose run has ended is refused and closes the approval (see run-ended.ts).
 *
 * Every attempt appends one ledger entry (`approval-refused` or `approval-decision`) keyed by
 * `attemptId`. A refused attempt changes neither the record nor the run. Only the vote that meets
 * the quorum, or the first reject, resumes the run, and only after the store's compare-and-swap made
 * that vote the deciding one.
 */
export interface ApproveInput {
  readonly approvalId: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
  readonly caller: Caller;
  /** Distinguishes attempts in the ledger: the Lambda request id, or a fresh UUID locally. */
  readonly attemptId: string;
}

export interface ApprovePorts {
  readonly config: Pick<TollgateConfig, 'name' | 'identities'>;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly approvals: ApprovalStore;
  readonly callback: TaskCallback;
}

interface Common {
  readonly approvalId: string;
  readonly ledgerSeq: number;
}

export type ApproveResult =
  | (Common & { readonly outcome: 'refused'; readonly code: RefusalCode; readonly reason: string })
  | (Common & {
      readonly outcome: 'recorded';
      readonly status: 'pending';
      readonly approvals: number;
      readonly needed: number;
    })
  | (Common & {
      readonly outcome: 'decided';
      readonly status: 'approved' | 'rejected';
      readonly approvals: number;
      readonly needed: number;
      readonly delivered: boolean;
      readonly deliveryError?: string;
    });

const CAS_ATTEMPTS = 10;
const MAX_COMMENT = 2_000;

export async function approve(input: ApproveInput, ports: ApprovePorts): Promise<ApproveResult> {
  validate(input);
  const who = principalOf(input.caller);
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const now = ports.clock.now();
    const record = isApprovalId(input.approvalId) ? await ports.approvals.get(input.approvalId) : undefined;
    if (record?.status === 'pending') {
      const run = await closeIfRunEnded(record, now, ports);
      if (run.ended === 'changed') continue;
      if (run.ended) return refuse(input, run.record, run.refusal, now, ports);
    }
    const checked = checkVote(record, input.approvalId, input.caller, now, ports.config.identities);
    if ('refusal' in checked) return refuse(input, record, checked.refusal, now, ports);
    const current = record as ApprovalRecord;
    const identity = identityOf(input.caller, ports.config.identities);
    const vote: ApprovalVote = {
      approver: who,
      ...(identity ? { identity } : {}),
      as: checked.as,
      decision: input.decision,
      comment: input.comment,
      at: now.toISOString(),
    };
    const outcome = outcomeAfter(current, input.decision, checked.as);
    let next: ApprovalRecord;
    try {
      next = await ports.approvals.update(current.id, current.revision, { type: 'vote', vote, outcome });
    } catch (error) {
      // Someone else changed the record between our read and write: re-read and judge again.
      if (error instanceof LockConflictError || error instanceof ApprovalStateError) continue;
      throw error;
    }
    return decided(input, next, vote, ports);
  }
  throw new LockConflictError(`approval ${input.approvalId} is changing too fast; try again`);
}

async function refuse(
  input: ApproveInput,
  record: ApprovalRecord | undefined,
  refusal: Refusal,
  now: Date,
  ports: ApprovePorts,
): Promise<ApproveResult> {
  const at = now.toISOString();
  const actor = principalOf(input.caller);
  const data = {
    decision: input.decision,
    comment: input.comment,
    code: refusal.code,
    reason: refusal.reason,
  };
  const idempotencyKey = attemptKey(
    isApprovalId(input.approvalId) ? input.approvalId : 'malformed',
    input.attemptId,
  );
  const entry = record
    ? approvalEntry('approval-refused', record, { at, actor, idempotencyKey, data })
    : {
        kind: 'approval-refused' as const,
        pipeline: ports.config.name,
        at,
        actor,
        idempotencyKey,
        // A person typed this id; keep it (bounded) so the trail shows what they asked for.
        data: { approvalId: String(input.approvalId).slice(0, 100), ...data },
      };
  const { seq } = await ports.ledger.append(entry);
  return {
    outcome: 'refused',
    approvalId: input.approvalId,
    code: refusal.code,
    reason: refusal.reason,
    ledgerSeq: seq,
  };
}

async function decided(
  input: ApproveInput,
  record: ApprovalRecord,
  vote: ApprovalVote,
  ports: ApprovePorts,
): Promise<ApproveResult> {
  const approvals = new Set(record.votes.filter((v) => v.decision === 'approve').map((v) => v.as)).size;
  const { seq } = await ports.ledger.append(
    approvalEntry('approval-decision', record, {
      at: vote.at,
      actor: vote.approver,
      idempotencyKey: attemptKey(record.id, input.attemptId),
      data: {
        decision: input.decision,
        comment: input.comment,
        as: vote.as,
        outcome: record.status,
        approvals,
        ...(record.status === 'approved'
          ? { approvedBy: record.votes.filter((v) => v.decision === 'approve').map((v) => v.approver) }
          : {}),
      },
    }),
  );
  const common = { approvalId: record.id, ledgerSeq: seq, approvals, needed: record.minApprovals };
  if (record.status === 'pending') return { ...common, outcome: 'recorded', status: 'pending' };
  const status = record.status as 'approved' | 'rejected';
  const delivery = await deliverDecision(record, ports);
  if (!delivery.delivered) {
    await ports.ledger.append(
      approvalEntry('approval-decision', record, {
        at: ports.clock.now().toISOString(),
        actor: 'tollgate',
        idempotencyKey: `approval#${record.id}#delivery`,
        data: { outcome: status, event: 'delivery-failed', error: delivery.error },
      }),
    );
    return { ...common, outcome: 'decided', status, delivered: false, deliveryError: delivery.error };
  }
  return { ...common, outcome: 'decided', status, delivered: true };
}

function validate(input: ApproveInput): void {
  if (!input || typeof input !== 'object') throw new InvalidInputError('approve input must be an object');
  if (typeof input.approvalId !== 'string' || !input.approvalId || input.approvalId.length > 200)
    throw new InvalidInputError('approvalId must be a non-empty string');
  if (input.decision !== 'approve' && input.decision !== 'reject')
    throw new InvalidInputError(
      `decision must be "approve" or "reject", got ${JSON.stringify(input.decision)}`,
    );
  if (typeof input.comment !== 'string' || input.comment.length > MAX_COMMENT)
    throw new InvalidInputError(`comment must be a string of at most ${MAX_COMMENT} characters`);
  if (input.decision === 'reject' && !input.comment.trim())
    throw new InvalidInputError('a reject needs a comment saying why');
  assertCaller(input.caller);
  if (typeof input.attemptId !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(input.attemptId))
    throw new InvalidInputError('attemptId must be 1-100 letters, digits or "-"');
}
