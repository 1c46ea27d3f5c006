import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { FileApprovalStore } from '../../../../functions/shared/adapters/local/file-approval-store.js';
import { approvalId } from '../../../../functions/shared/approvals/approval-id.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import type { ApprovalRecord, NewApproval } from '../../../../functions/shared/ports/approval-store.js';
import type { RunState, TaskCallback } from '../../../../functions/shared/ports/task-callback.js';

/** Records what would have resumed the run; the rules under test decide whether it is called. */
export class RecordingTaskCallback implements TaskCallback {
  readonly calls: Array<
    | { kind: 'success'; token: string; output: Record<string, unknown> }
    | { kind: 'failure'; token: string; error: string; cause: string }
  > = [];
  async sendSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    this.calls.push({ kind: 'success', token, output });
  }
  async sendFailure(token: string, error: string, cause: string): Promise<void> {
    this.calls.push({ kind: 'failure', token, error, cause });
  }
  /** The run these rule tests vote on is waiting; the real engine's answers are tested end to end. */
  run: RunState = { status: 'RUNNING' };
  async runState(): Promise<RunState> {
    return this.run;
  }
}

export const EXECUTION = 'arn:aws:states:eu-west-1:123456789012:execution:orders-pipeline:run-7';
export const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAW-distinctive-token-7f3e9c';

export function newApproval(over: Partial<NewApproval> = {}): NewApproval {
  return {
    id: approvalId(EXECUTION, 'prod'),
    pipeline: 'orders',
    executionArn: EXECUTION,
    stateName: 'ApprovalGate',
    environment: 'prod',
    release: {
      version: 'r7-1a2b3c4',
      digest: `sha256:${'a'.repeat(64)}`,
      artifactKey: `blobs/sha256/${'a'.repeat(64)}`,
      commit: '1a2b3c4'.padEnd(40, '0'),
    },
    commit: {
      repository: 'orders-service',
      branch: 'main',
      commit: '1a2b3c4'.padEnd(40, '0'),
      author: { name: 'alice', email: 'alice@example.com' },
      message: 'Add unique index on lower(email)',
      timestamp: '2026-01-01T00:00:00.000Z',
    },
    approvers: ['alice', 'bob', 'carol'],
    minApprovals: 1,
    allowSelfApproval: false,
    requestedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-02T00:00:00.000Z',
    evidence: { note: 'test' },
    ...over,
  };
}

export async function approvalFixture(over: Partial<NewApproval> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-approve-'));
  const clock = new ManualClock('2026-01-01T01:00:00.000Z');
  const approvals = new FileApprovalStore(join(dir, 'approvals'));
  const ledger = new DirLedger(join(dir, 'ledger'));
  const callback = new RecordingTaskCallback();
  const { record } = await approvals.createPending(newApproval(over), TOKEN);
  let attempts = 0;
  const ports = {
    config: { name: 'orders', identities: {} as Record<string, string> },
    clock,
    ledger,
    approvals,
    callback,
  };
  return {
    dir,
    clock,
    approvals,
    ledger,
    callback,
    ports,
    record,
    /** A distinct attempt id per call, as the Lambda request id would be. */
    attempt: () => `attempt-${++attempts}`,
    current: async (): Promise<ApprovalRecord | undefined> => approvals.get(record.id),
  };
}
