import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordApprovalTimeout } from '../../../../functions/record-approval-timeout/record-approval-timeout.js';
import {
  type RequestApprovalInput,
  requestApproval,
} from '../../../../functions/request-approval/request-approval.js';
import { approvalId } from '../../../../functions/shared/approvals/approval-id.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { localApprovalPorts, PIPELINE, storeRelease } from './request-approval-fixture.js';

const RUN = 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-restore';

const PLAN = {
  offer: true,
  snapshot: 'cp-1234',
  takenAt: '2026-01-01T00:00:00.000Z',
  breakingApplied: ['0003_drop_order_notes'],
  rowsSinceCheckpoint: 42,
  rowsByTable: { orders: 40, customers: 2 },
  counted: 'rows inserted or updated since the checkpoint',
};

function input(release: ReleaseRef, over: Partial<RequestApprovalInput> = {}): RequestApprovalInput {
  return {
    executionArn: RUN,
    stateName: 'X',
    pipeline: PIPELINE,
    environment: 'prod',
    release,
    commit: {
      repository: 'orders-service',
      branch: 'main',
      commit: release.commit,
      author: { name: 'alice', email: 'alice@example.com' },
      message: 'Drop order notes',
      timestamp: '2026-01-01T00:00:00.000Z',
    },
    approval: {
      approvers: ['carol', 'bob'],
      minApprovals: 1,
      timeoutSeconds: 3600,
      allowSelfApproval: false,
    },
    taskToken: 'token-one',
    ...over,
  };
}

describe('requestApproval for a restore from the checkpoint', () => {
  it("asks on an approval of its own beside the gate's, showing the checkpoint and the rows written since", async () => {
    // Arrange
    const { ports, dir } = localApprovalPorts();
    const release = await storeRelease(ports, 3, ['0001_create.sql']);
    await requestApproval(input(release, { stateName: 'ApprovalGate' }), ports);

    // Act
    const out = await requestApproval(
      input(release, {
        stateName: 'RequestRestoreApproval',
        purpose: 'restore',
        restore: PLAN,
        taskToken: 't2',
      }),
      ports,
    );

    // Assert
    expect(out.approvalId).toBe(approvalId(RUN, 'prod', 'restore'));
    expect(out.approvalId).not.toBe(approvalId(RUN, 'prod'));
    const pending = await ports.approvals.listPending({ executionArn: RUN });
    expect(pending.map((a) => a.id).sort()).toEqual([approvalId(RUN, 'prod'), out.approvalId].sort());
    expect((await ports.approvals.get(out.approvalId))?.evidence).toEqual({
      purpose: 'restore',
      restore: PLAN,
    });
    const notices = readFileSync(join(dir, 'inbox', 'notifications.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const notice = JSON.parse(notices.at(-1)!);
    expect(notice.subject).toBe(`${PIPELINE}: restore prod's data from its checkpoint?`);
    expect(notice.body).toContain('WARNING: 42 rows written since the checkpoint would be lost');
    expect(notice.body).toContain('0003_drop_order_notes');
  });

  it("expires the restore's approval on its timeout and leaves the gate's as it was", async () => {
    // Arrange
    const { ports, clock } = localApprovalPorts();
    const release = await storeRelease(ports, 3, ['0001_create.sql']);
    await requestApproval(input(release, { stateName: 'ApprovalGate' }), ports);
    await requestApproval(
      input(release, {
        stateName: 'RequestRestoreApproval',
        purpose: 'restore',
        restore: PLAN,
        taskToken: 't2',
      }),
      ports,
    );
    clock.advance(3_600_000);

    // Act
    const out = await recordApprovalTimeout(
      {
        executionArn: RUN,
        stateName: 'RecordRestoreApprovalTimeout',
        pipeline: PIPELINE,
        environment: 'prod',
        purpose: 'restore',
      },
      ports,
    );

    // Assert
    expect(out).toMatchObject({ approvalId: approvalId(RUN, 'prod', 'restore'), status: 'expired' });
    expect((await ports.approvals.get(approvalId(RUN, 'prod')))?.status).toBe('pending');
  });

  it('refuses a restore approval without the restore plan to show, and writes nothing', async () => {
    // Arrange
    const { ports } = localApprovalPorts();
    const release = await storeRelease(ports, 3, ['0001_create.sql']);

    // Act
    const call = requestApproval(input(release, { purpose: 'restore', restore: null }), ports);

    // Assert
    await expect(call).rejects.toThrow(
      /^a restore approval needs the restore plan \(checkpoint, rows since\) to show$/,
    );
    expect(await ports.approvals.listPending()).toEqual([]);
    expect(await ports.ledger.query()).toEqual([]);
  });
});
