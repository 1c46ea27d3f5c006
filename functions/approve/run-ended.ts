import { approvalEntry } from '../shared/approvals/approval-ledger.js';
import { ApprovalStateError, type Refusal, RefusalCode } from '../shared/approvals/errors.js';
import { LockConflictError } from '../shared/errors.js';
import type { ApprovalRecord, ApprovalStore } from '../shared/ports/approval-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { RunState, TaskCallback } from '../shared/ports/task-callback.js';

export interface RunEndedPorts {
  readonly approvals: ApprovalStore;
  readonly ledger: Ledger;
  readonly callback: TaskCallback;
}

export type RunCheck =
  | { readonly ended: false }
  /** Someone changed the record while we looked: re-read and judge again. */
  | { readonly ended: 'changed' }
  | { readonly ended: true; readonly record: ApprovalRecord; readonly refusal: Refusal };

/**
 * An approval ends with its run. A run can end while its gate waits (stopped, timed out, a failure
 * elsewhere); its token then resumes nothing, and counting a vote would record an approval that
 * never took effect. So a pending approval whose run is over is closed (status `closed`, the
 * reason on the record and an `approval-closed` ledger entry) and its token discarded, and the
 * vote is refused saying how the run ended.
 *
 * Order on a crash: the record is closed first (the compare-and-swap decides who wins against a
 * concurrent vote), then the ledger entry, then the token goes. A crash in between leaves a closed
 * record whose token TTL (DynamoDB) or the next close attempt's discard removes; no vote can count.
 */
export async function closeIfRunEnded(
  record: ApprovalRecord,
  now: Date,
  ports: RunEndedPorts,
): Promise<RunCheck> {
  const state = await ports.callback.runState(record.executionArn);
  if (state.status === 'RUNNING') return { ended: false };
  const reason = await howItEnded(record.executionArn, state, now, ports.ledger);
  let closed: ApprovalRecord;
  try {
    closed = await ports.approvals.update(record.id, record.revision, {
      type: 'close',
      at: now.toISOString(),
      reason,
    });
  } catch (error) {
    if (error instanceof LockConflictError || error instanceof ApprovalStateError)
      return { ended: 'changed' };
    throw error;
  }
  await ports.ledger.append(
    approvalEntry('approval-closed', closed, {
      at: now.toISOString(),
      actor: 'tollgate',
      // Per revision: a redriven run reopens the approval, and it may be closed again later.
      idempotencyKey: `approval#${closed.id}#closed#${closed.revision}`,
      data: {
        reason,
        run: { status: state.status, ...('stoppedAt' in state ? { stoppedAt: state.stoppedAt } : {}) },
      },
    }),
  );
  await ports.approvals.discardToken(closed.id);
  return {
    ended: true,
    record: closed,
    refusal: {
      code: RefusalCode.RunEnded,
      reason: `${reason}; its approval for ${closed.environment} is closed`,
    },
  };
}

/** "run 31eb0c2a… ended FAILED at 10:02 UTC (stage deploy in staging)", from Step Functions and the ledger. */
async function howItEnded(executionArn: string, state: RunState, now: Date, ledger: Ledger): Promise<string> {
  const run = `run ${shortName(executionArn)}`;
  if (state.status === 'GONE') return `${run} no longer exists in Step Functions`;
  const at = 'stoppedAt' in state && state.stoppedAt ? ` at ${clockTime(state.stoppedAt, now)}` : '';
  const summary = (await ledger.query({ executionArn, kinds: ['run-summary'] })).at(-1);
  const failure = summary?.data.failure as { stage?: unknown; environment?: unknown } | undefined;
  const where =
    typeof failure?.stage === 'string'
      ? ` (stage ${failure.stage}${typeof failure.environment === 'string' ? ` in ${failure.environment}` : ''})`
      : '';
  return `${run} ended ${state.status}${at}${where}`;
}

function shortName(executionArn: string): string {
  const name = executionArn.split(':').at(-1) ?? executionArn;
  return name.length > 12 ? `${name.slice(0, 8)}…` : name;
}

/** Time of day when it was today (UTC), the date too when it was not. */
function clockTime(iso: string, now: Date): string {
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 16);
  return day === now.toISOString().slice(0, 10) ? `${time} UTC` : `${day} ${time} UTC`;
}
