import { targetEnvironment } from '../deploy/target-environment.js';
import { approvalId } from '../shared/approvals/approval-id.js';
import { approvalEntry } from '../shared/approvals/approval-ledger.js';
import { ApprovalStateError } from '../shared/approvals/errors.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { LockConflictError } from '../shared/errors.js';
import type { ApprovalRecord, ApprovalStore } from '../shared/ports/approval-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { RecordApprovalTimeoutInput } from './input.js';

export interface RecordApprovalTimeoutPorts {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly approvals: ApprovalStore;
}

export interface RecordApprovalTimeoutOutput {
  readonly approvalId: string;
  readonly status: ApprovalRecord['status'] | 'unknown';
  readonly decision: 'rejected';
  readonly reason: 'expired';
  readonly expiredAt: string;
  readonly ledgerSeq: number;
}

const CAS_ATTEMPTS = 10;

/**
 * record-approval-timeout: called by the gate's Catch on `States.Timeout`. Marks the approval
 * expired and appends an `approval-decision` entry with `decision: 'expired'`, so the ledger reads
 * "rejected: expired" like any other decision (not `approval-cancelled`, which means superseded).
 *
 * Input:  { executionArn, stateName, pipeline, environment, error?: string, cause?: string }
 * Output: { approvalId, status: 'expired' | <the status it already had>, decision: 'rejected',
 *           reason: 'expired', expiredAt, ledgerSeq }
 *
 * A decision that was made but never reached the run (its SendTask* failed) is overridden: the run
 * did time out. A delivered decision is left as it is. Idempotent on executionArn + stateName.
 */
export async function recordApprovalTimeout(
  input: RecordApprovalTimeoutInput,
  ports: RecordApprovalTimeoutPorts,
): Promise<RecordApprovalTimeoutOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const id = approvalId(input.executionArn, env.name, input.purpose);
  const now = ports.clock.now().toISOString();
  const reason = `no decision within the approval timeout of ${env.approval?.timeout ?? '?'}s (${input.error ?? 'States.Timeout'})`;
  const record = await expire(id, now, reason, ports.approvals);
  const idempotencyKey = `${input.executionArn}#${input.stateName}#${env.name}`;
  const data = {
    decision: 'expired',
    outcome: 'expired',
    reason,
    ...(input.cause ? { cause: input.cause.slice(0, 1000) } : {}),
  };
  const entry = record
    ? approvalEntry('approval-decision', record, { at: now, actor: 'tollgate', idempotencyKey, data })
    : {
        kind: 'approval-decision' as const,
        pipeline: input.pipeline,
        at: now,
        executionArn: input.executionArn,
        environment: env.name,
        actor: 'tollgate',
        idempotencyKey,
        // The gate timed out before request-approval stored anything (it crashed every attempt).
        data: { approvalId: id, ...data, note: 'no approval record was stored for this run' },
      };
  const { seq } = await ports.ledger.append(entry);
  await ports.approvals.discardToken(id);
  return {
    approvalId: id,
    status: record?.status ?? 'unknown',
    decision: 'rejected',
    reason: 'expired',
    expiredAt: record?.decidedAt ?? now,
    ledgerSeq: seq,
  };
}

async function expire(id: string, at: string, reason: string, approvals: ApprovalStore) {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const record = await approvals.get(id);
    if (!record) return undefined;
    if (record.status === 'expired') return record;
    try {
      return await approvals.update(id, record.revision, { type: 'expire', at, reason });
    } catch (error) {
      if (error instanceof ApprovalStateError) return record; // a delivered decision stands
      if (!(error instanceof LockConflictError)) throw error;
    }
  }
  throw new LockConflictError(`approval ${id} kept changing while it was being expired; try again`);
}
