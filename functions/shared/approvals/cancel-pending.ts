import type { Clock } from '../clock.js';
import { InvalidInputError, LockConflictError } from '../errors.js';
import type { ApprovalRecord, ApprovalStore } from '../ports/approval-store.js';
import type { Ledger } from '../ports/ledger.js';
import type { TaskCallback } from '../ports/task-callback.js';
import { approvalEntry } from './approval-ledger.js';
import { deliverDecision } from './deliver-decision.js';
import { ApprovalStateError } from './errors.js';

export interface CancelPendingInput {
  readonly executionArn: string;
  /** Recorded on the approval and in the ledger, e.g. "superseded by commit 1a2b3c4". */
  readonly reason: string;
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
}

export interface CancelPendingPorts {
  readonly approvals: ApprovalStore;
  readonly ledger: Ledger;
  readonly callback: TaskCallback;
  readonly clock: Clock;
}

export interface CancelledApproval {
  readonly approvalId: string;
  readonly environment: string;
  readonly delivered: boolean;
  readonly deliveryError?: string;
}

const CAS_ATTEMPTS = 10;

/**
 * Cancels every pending approval of a run, so nobody can approve an old commit into an environment
 * after a newer one superseded it. Each cancellation is recorded (status `cancelled` with the
 * reason, a ledger `approval-cancelled` entry) before the run is told with SendTaskFailure
 * `Tollgate.ApprovalCancelled`. An approval decided in the meantime is left alone: the decision won.
 */
export async function cancelPendingApprovals(
  input: CancelPendingInput,
  ports: CancelPendingPorts,
): Promise<{ cancelled: CancelledApproval[] }> {
  if (typeof input?.executionArn !== 'string' || !input.executionArn)
    throw new InvalidInputError('cancelPendingApprovals needs the executionArn of the run');
  if (typeof input.reason !== 'string' || !input.reason.trim())
    throw new InvalidInputError('cancelPendingApprovals needs a reason to record');
  const cancelled: CancelledApproval[] = [];
  for (const pending of await ports.approvals.listPending({ executionArn: input.executionArn })) {
    const record = await cancelOne(pending, input, ports);
    if (!record) continue;
    await ports.ledger.append(
      approvalEntry('approval-cancelled', record, {
        at: record.decidedAt ?? ports.clock.now().toISOString(),
        actor: 'tollgate',
        idempotencyKey: `approval#${record.id}#cancelled`,
        data: { reason: input.reason, supersededBy: input.supersededBy ?? null },
      }),
    );
    const delivery = await deliverDecision(record, ports);
    cancelled.push({
      approvalId: record.id,
      environment: record.environment,
      delivered: delivery.delivered,
      ...(delivery.delivered ? {} : { deliveryError: delivery.error }),
    });
  }
  return { cancelled };
}

async function cancelOne(
  record: ApprovalRecord,
  input: CancelPendingInput,
  ports: CancelPendingPorts,
): Promise<ApprovalRecord | undefined> {
  let current: ApprovalRecord | undefined = record;
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    if (current?.status !== 'pending') return undefined;
    try {
      return await ports.approvals.update(current.id, current.revision, {
        type: 'cancel',
        at: ports.clock.now().toISOString(),
        reason: input.reason,
        ...(input.supersededBy ? { supersededBy: input.supersededBy } : {}),
      });
    } catch (error) {
      if (!(error instanceof LockConflictError) && !(error instanceof ApprovalStateError)) throw error;
      current = await ports.approvals.get(record.id);
    }
  }
  throw new LockConflictError(`approval ${record.id} kept changing while it was being cancelled; try again`);
}
