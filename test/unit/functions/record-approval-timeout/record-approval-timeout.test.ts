import { describe, expect, it } from 'vitest';
import { approve } from '../../../../functions/approve/approve.js';
import { recordApprovalTimeout } from '../../../../functions/record-approval-timeout/record-approval-timeout.js';
import { requestApproval } from '../../../../functions/request-approval/request-approval.js';
import { currentRelease } from '../../../../functions/shared/ledger/ledger-queries.js';
import { localApprovalPorts, PIPELINE, storeRelease } from '../request-approval/request-approval-fixture.js';

const RUN = 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-3';

async function gated() {
  const f = localApprovalPorts();
  const release = await storeRelease(f.ports, 1, ['0001_create.sql']);
  const { approvalId } = await requestApproval(
    {
      executionArn: RUN,
      stateName: 'ApprovalGate',
      pipeline: PIPELINE,
      environment: 'prod',
      release,
      commit: {
        repository: 'orders-service',
        branch: 'main',
        commit: release.commit,
        author: { name: 'alice', email: 'alice@example.com' },
        message: 'm',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
      taskToken: 'tok',
    },
    f.ports,
  );
  return { ...f, approvalId };
}

describe('recordApprovalTimeout', () => {
  it('marks the approval expired and records rejected: expired in the ledger', async () => {
    // Arrange
    const f = await gated();
    f.clock.advance(3_600_000);
    // Act
    const out = await recordApprovalTimeout(
      {
        executionArn: RUN,
        stateName: 'RecordApprovalTimeout',
        pipeline: PIPELINE,
        environment: 'prod',
        error: 'States.Timeout',
      },
      f.ports,
    );
    // Assert
    expect(out).toMatchObject({
      approvalId: f.approvalId,
      status: 'expired',
      decision: 'rejected',
      reason: 'expired',
      expiredAt: '2026-01-01T01:00:00.000Z',
    });
    expect(await f.ports.approvals.get(f.approvalId)).toMatchObject({
      status: 'expired',
      closeReason: expect.stringMatching(/timeout of 3600s/),
    });
    expect(await f.ports.approvals.readToken(f.approvalId)).toBeUndefined();
    const [entry] = await f.ports.ledger.query({ kinds: ['approval-decision'] });
    expect(entry).toMatchObject({
      environment: 'prod',
      executionArn: RUN,
      data: { decision: 'expired', outcome: 'expired' },
    });
    expect(currentRelease(await f.ports.ledger.query(), 'prod')).toBeNull();
    expect(f.callback.calls).toEqual([]);
  });

  it('writes one ledger entry when the Catch re-invokes it', async () => {
    const f = await gated();
    const input = {
      executionArn: RUN,
      stateName: 'RecordApprovalTimeout',
      pipeline: PIPELINE,
      environment: 'prod',
    };
    const first = await recordApprovalTimeout(input, f.ports);
    const second = await recordApprovalTimeout(input, f.ports);
    expect(second.ledgerSeq).toBe(first.ledgerSeq);
    expect(await f.ports.ledger.query({ kinds: ['approval-decision'] })).toHaveLength(1);
  });

  it('refuses later votes on the expired approval', async () => {
    const f = await gated();
    await recordApprovalTimeout(
      { executionArn: RUN, stateName: 'T', pipeline: PIPELINE, environment: 'prod' },
      f.ports,
    );
    const result = await approve(
      {
        approvalId: f.approvalId,
        decision: 'approve',
        comment: '',
        caller: { kind: 'local', user: 'bob' },
        attemptId: 'late',
      },
      f.ports,
    );
    expect(result).toMatchObject({ outcome: 'refused', code: 'not-pending' });
    expect(f.callback.calls).toEqual([]);
  });

  it('refuses an environment that is not in the config and writes nothing', async () => {
    const f = await gated();
    const before = await f.ports.ledger.query();
    await expect(
      recordApprovalTimeout(
        { executionArn: RUN, stateName: 'T', pipeline: PIPELINE, environment: 'staging' },
        f.ports,
      ),
    ).rejects.toThrow(/environment "staging" is not in the config/);
    expect(await f.ports.ledger.query()).toEqual(before);
  });
});
