import { describe, expect, it } from 'vitest';
import { approve } from '../../../../functions/approve/approve.js';
import { cancelPendingApprovals } from '../../../../functions/shared/approvals/cancel-pending.js';
import type { Caller } from '../../../../functions/shared/approvals/identity.js';
import { approvalFixture, EXECUTION, TOKEN } from './approval-fixture.js';

const local = (user: string): Caller => ({ kind: 'local', user });

describe('approve', () => {
  describe('refusals', () => {
    it('refuses a caller who is not on the approvers list, records why, and changes nothing', async () => {
      // Arrange
      const f = await approvalFixture();
      const before = await f.current();
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'lgtm',
          caller: local('mallory'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'not-an-approver' });
      expect(await f.current()).toEqual(before);
      expect(f.callback.calls).toEqual([]);
      const [entry] = await f.ledger.query({ kinds: ['approval-refused'] });
      expect(entry).toMatchObject({
        actor: 'mallory',
        environment: 'prod',
        executionArn: EXECUTION,
        releaseVersion: 'r7-1a2b3c4',
        at: '2026-01-01T01:00:00.000Z',
        data: {
          code: 'not-an-approver',
          decision: 'approve',
          comment: 'lgtm',
          reason: 'mallory is not on the approvers list of prod',
        },
      });
    });

    it('refuses a vote on an approval whose run failed, naming the stage and environment from the ledger', async () => {
      // Arrange
      const f = await approvalFixture();
      f.callback.run = { status: 'FAILED', stoppedAt: '2026-01-01T00:58:00.000Z' };
      await f.ledger.append({
        kind: 'run-summary',
        pipeline: 'orders',
        at: '2026-01-01T00:58:00.000Z',
        executionArn: EXECUTION,
        idempotencyKey: `${EXECUTION}#RecordRun`,
        data: { status: 'FAILED', failure: { stage: 'deploy', environment: 'staging' } },
      });
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({
        outcome: 'refused',
        code: 'run-ended',
        reason:
          'run run-7 ended FAILED at 00:58 UTC (stage deploy in staging); its approval for prod is closed',
      });
      expect(await f.current()).toMatchObject({ status: 'closed', votes: [] });
      expect(await f.approvals.readToken(f.record.id)).toBeUndefined();
      expect(f.callback.calls).toEqual([]);
      expect((await f.ledger.query({ kinds: ['approval-closed'] })).map((e) => e.data.reason)).toEqual([
        'run run-7 ended FAILED at 00:58 UTC (stage deploy in staging)',
      ]);
    });

    it('refuses the commit author approving their own commit when self-approval is off', async () => {
      // Arrange
      const f = await approvalFixture();
      const before = await f.current();
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: local('alice'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
      expect(await f.current()).toEqual(before);
      expect(f.callback.calls).toEqual([]);
      expect((await f.ledger.query({ kinds: ['approval-refused'] }))[0].data.code).toBe('self-approval');
    });

    it('recognises the author by e-mail when an assumed-role session is named after it', async () => {
      // Arrange
      const f = await approvalFixture({ approvers: ['arn:aws:iam::123456789012:role/Approvers', 'bob'] });
      const caller: Caller = {
        kind: 'iam',
        arn: 'arn:aws:sts::123456789012:assumed-role/Approvers/Alice@Example.com',
      };
      // Act
      const result = await approve(
        { approvalId: f.record.id, decision: 'approve', comment: '', caller, attemptId: f.attempt() },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
      expect(f.callback.calls).toEqual([]);
    });

    it('refuses a second vote from the same approver and keeps the first vote only', async () => {
      // Arrange
      const f = await approvalFixture({ minApprovals: 2 });
      await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'one',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      const afterFirst = await f.current();
      // Act
      const second = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'two',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(second).toMatchObject({ outcome: 'refused', code: 'double-vote' });
      expect(await f.current()).toEqual(afterFirst);
      expect(afterFirst?.votes).toHaveLength(1);
      expect(f.callback.calls).toEqual([]);
      expect((await f.ledger.query()).map((e) => e.kind)).toEqual(['approval-decision', 'approval-refused']);
    });

    it('refuses a vote at or after the expiry even though the run has not timed out yet', async () => {
      // Arrange
      const f = await approvalFixture();
      f.clock.set('2026-01-02T00:00:00.000Z');
      const before = await f.current();
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'expired' });
      expect(await f.current()).toEqual(before);
      expect(f.callback.calls).toEqual([]);
      expect((await f.ledger.query({ kinds: ['approval-refused'] }))[0].data.reason).toMatch(
        /expired at 2026-01-02/,
      );
    });

    it('refuses a vote on an approval that a newer commit superseded', async () => {
      // Arrange
      const f = await approvalFixture();
      await cancelPendingApprovals(
        {
          executionArn: EXECUTION,
          reason: 'superseded by commit 9f8e7d6',
          supersededBy: { executionArn: `${EXECUTION}-newer`, commit: '9f8e7d6'.padEnd(40, '0') },
        },
        f.ports,
      );
      const cancelled = await f.current();
      const callsAfterCancel = [...f.callback.calls];
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'not-pending' });
      expect((result as { reason: string }).reason).toBe(
        `approval ${f.record.id} is already cancelled: superseded by commit 9f8e7d6`,
      );
      expect(await f.current()).toEqual(cancelled);
      expect(f.callback.calls).toEqual(callsAfterCancel);
      expect((await f.ledger.query()).map((e) => e.kind)).toEqual(['approval-cancelled', 'approval-refused']);
    });

    it('refuses an unknown approval id and records the attempt under the configured pipeline', async () => {
      // Arrange
      const f = await approvalFixture();
      const before = await f.current();
      // Act
      const result = await approve(
        {
          approvalId: 'apr-000000000000000000000000',
          decision: 'approve',
          comment: '',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'unknown-approval' });
      expect(await f.current()).toEqual(before);
      expect(f.callback.calls).toEqual([]);
      expect(await f.ledger.query()).toMatchObject([
        {
          kind: 'approval-refused',
          pipeline: 'orders',
          actor: 'bob',
          data: { approvalId: 'apr-000000000000000000000000', code: 'unknown-approval' },
        },
      ]);
    });

    it('keeps two refused attempts by the same person as two ledger entries', async () => {
      // Arrange
      const f = await approvalFixture();
      const attempt = {
        approvalId: f.record.id,
        decision: 'approve' as const,
        comment: '',
        caller: local('mallory'),
      };
      // Act
      await approve({ ...attempt, attemptId: f.attempt() }, f.ports);
      await approve({ ...attempt, attemptId: f.attempt() }, f.ports);
      // Assert
      expect(await f.ledger.query({ kinds: ['approval-refused'] })).toHaveLength(2);
    });
  });

  describe('decisions', () => {
    it('resumes the run only when the second distinct approver meets a quorum of 2', async () => {
      // Arrange
      const f = await approvalFixture({ minApprovals: 2 });
      // Act
      const first = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'ok',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      const callsAfterFirst = f.callback.calls.length;
      f.clock.advance(60_000);
      const second = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'ship it',
          caller: local('carol'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(first).toMatchObject({ outcome: 'recorded', status: 'pending', approvals: 1, needed: 2 });
      expect(callsAfterFirst).toBe(0);
      expect(second).toMatchObject({ outcome: 'decided', status: 'approved', approvals: 2, delivered: true });
      expect(f.callback.calls).toEqual([
        {
          kind: 'success',
          token: TOKEN,
          output: {
            decision: 'approved',
            approvals: [
              { approver: 'bob', at: '2026-01-01T01:00:00.000Z', comment: 'ok' },
              { approver: 'carol', at: '2026-01-01T01:01:00.000Z', comment: 'ship it' },
            ],
          },
        },
      ]);
      expect(await f.approvals.readToken(f.record.id)).toBeUndefined();
      expect((await f.current())?.delivery?.state).toBe('delivered');
      const decisions = await f.ledger.query({ kinds: ['approval-decision'] });
      expect(decisions.map((e) => e.data.outcome)).toEqual(['pending', 'approved']);
      expect(decisions[1].data.approvedBy).toEqual(['bob', 'carol']);
    });

    it('fails the run with Tollgate.ApprovalRejected on a reject after one approval', async () => {
      // Arrange
      const f = await approvalFixture({ minApprovals: 2 });
      await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: 'ok',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'reject',
          comment: 'no rollback plan',
          caller: local('carol'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'decided', status: 'rejected', delivered: true });
      expect(f.callback.calls).toEqual([
        {
          kind: 'failure',
          token: TOKEN,
          error: 'Tollgate.ApprovalRejected',
          cause: JSON.stringify({
            approver: 'carol',
            comment: 'no rollback plan',
            at: '2026-01-01T01:00:00.000Z',
          }),
        },
      ]);
      expect((await f.current())?.status).toBe('rejected');
    });

    it('lets the author approve when the environment allows self-approval', async () => {
      // Arrange
      const f = await approvalFixture({ allowSelfApproval: true });
      // Act
      const result = await approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: local('alice'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      expect(result).toMatchObject({ outcome: 'decided', status: 'approved' });
      expect(f.callback.calls).toHaveLength(1);
    });

    it('matches an IAM user by ARN and by user name, and counts them as one approver', async () => {
      // Arrange
      const f = await approvalFixture({
        approvers: ['bob', 'arn:aws:iam::123456789012:user/team/carol'],
        minApprovals: 2,
      });
      const bob: Caller = { kind: 'iam', arn: 'arn:aws:iam::123456789012:user/bob' };
      const carol: Caller = { kind: 'iam', arn: 'arn:aws:iam::123456789012:user/team/carol' };
      // Act
      const first = await approve(
        { approvalId: f.record.id, decision: 'approve', comment: '', caller: bob, attemptId: f.attempt() },
        f.ports,
      );
      const again = await approve(
        { approvalId: f.record.id, decision: 'approve', comment: '', caller: bob, attemptId: f.attempt() },
        f.ports,
      );
      const second = await approve(
        { approvalId: f.record.id, decision: 'approve', comment: '', caller: carol, attemptId: f.attempt() },
        f.ports,
      );
      // Assert
      expect([first.outcome, again.outcome, second.outcome]).toEqual(['recorded', 'refused', 'decided']);
      expect(
        (
          f.callback.calls[0] as unknown as { output: { approvals: Array<{ approver: string }> } }
        ).output.approvals.map((a) => a.approver),
      ).toEqual(['arn:aws:iam::123456789012:user/bob', 'arn:aws:iam::123456789012:user/team/carol']);
    });

    it('resumes the run exactly once when two approvers complete the quorum at the same moment', async () => {
      // Arrange
      const f = await approvalFixture({ minApprovals: 1 });
      // Act
      const results = await Promise.all(
        ['bob', 'carol'].map((user) =>
          approve(
            {
              approvalId: f.record.id,
              decision: 'approve',
              comment: '',
              caller: local(user),
              attemptId: f.attempt(),
            },
            f.ports,
          ),
        ),
      );
      // Assert
      expect(results.map((r) => r.outcome).sort()).toEqual(['decided', 'refused']);
      expect(f.callback.calls).toHaveLength(1);
    });
  });

  describe('bad input', () => {
    it('refuses a reject without a comment and writes nothing', async () => {
      // Arrange
      const f = await approvalFixture();
      const before = await f.current();
      // Act
      const call = approve(
        {
          approvalId: f.record.id,
          decision: 'reject',
          comment: ' ',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      // Assert
      await expect(call).rejects.toThrow('a reject needs a comment saying why');
      expect(await f.current()).toEqual(before);
      expect(await f.ledger.query()).toEqual([]);
    });

    it('refuses an unknown decision and writes nothing', async () => {
      const f = await approvalFixture();
      const call = approve(
        {
          approvalId: f.record.id,
          decision: 'maybe' as never,
          comment: '',
          caller: local('bob'),
          attemptId: f.attempt(),
        },
        f.ports,
      );
      await expect(call).rejects.toThrow('decision must be "approve" or "reject", got "maybe"');
      expect(await f.ledger.query()).toEqual([]);
    });

    it('refuses a caller that is neither an IAM ARN nor a local user name and writes nothing', async () => {
      const f = await approvalFixture();
      const call = approve(
        {
          approvalId: f.record.id,
          decision: 'approve',
          comment: '',
          caller: { kind: 'iam', arn: 'bob' },
          attemptId: f.attempt(),
        },
        f.ports,
      );
      await expect(call).rejects.toThrow('caller must be an IAM principal ARN or a local user name');
      expect(await f.ledger.query()).toEqual([]);
    });
  });

  describe('identities', () => {
    const ana = {
      commit: {
        repository: 'orders-service',
        branch: 'main',
        commit: '1a2b3c4'.padEnd(40, '0'),
        author: { name: 'Ana Smith', email: 'ana.smith@example.com' },
        message: 'Add unique index',
        timestamp: '2026-01-01T00:00:00.000Z',
      },
      approvers: ['ana', 'bob'],
    };
    const vote = (f: Awaited<ReturnType<typeof approvalFixture>>, caller: Caller) =>
      approve(
        { approvalId: f.record.id, decision: 'approve', comment: '', caller, attemptId: f.attempt() },
        f.ports,
      );

    it('refuses "Ana Smith <ana.smith@example.com>" approving her own commit as the user name ana', async () => {
      // Arrange
      const f = await approvalFixture(ana);
      f.ports.config.identities = { ana: 'ana.smith@example.com' };
      // Act
      const result = await vote(f, local('ana'));
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
      expect((await f.current())?.votes).toEqual([]);
    });

    it('refuses her as her e-mail address too, matched to the approvers entry ana through identities', async () => {
      // Arrange
      const f = await approvalFixture(ana);
      f.ports.config.identities = { ana: 'ana.smith@example.com' };
      // Act
      const result = await vote(f, local('Ana.Smith@example.com'));
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
    });

    it('refuses an IAM principal mapped to the author e-mail, listed as an e-mail approver', async () => {
      // Arrange
      const arn = 'arn:aws:iam::123456789012:user/ana-admin';
      const f = await approvalFixture({ ...ana, approvers: ['ana.smith@example.com', 'bob'] });
      f.ports.config.identities = { [arn]: 'ana.smith@example.com' };
      // Act
      const result = await vote(f, { kind: 'iam', arn });
      // Assert
      expect(result).toMatchObject({ outcome: 'refused', code: 'self-approval' });
    });

    it('lets another person whose user name equals the author display name approve when identities tell them apart', async () => {
      // Arrange: the author is alice@example.com; the approver alice is someone else
      const f = await approvalFixture();
      f.ports.config.identities = { alice: 'alice@corp.example' };
      // Act
      const result = await vote(f, local('alice'));
      // Assert
      expect(result).toMatchObject({ outcome: 'decided', status: 'approved' });
      expect((await f.current())?.votes[0]).toMatchObject({
        approver: 'alice',
        identity: 'alice@corp.example',
        as: 'alice',
      });
    });

    it('admits an approver listed by e-mail who decides as a mapped user name, once', async () => {
      // Arrange
      const f = await approvalFixture({ approvers: ['bob@example.com', 'carol'], minApprovals: 2 });
      f.ports.config.identities = { bob: 'bob@example.com' };
      // Act
      const first = await vote(f, local('bob'));
      const again = await vote(f, local('bob@example.com'));
      // Assert
      expect(first).toMatchObject({ outcome: 'recorded', approvals: 1 });
      expect(again).toMatchObject({ outcome: 'refused', code: 'double-vote' });
    });
  });
});
