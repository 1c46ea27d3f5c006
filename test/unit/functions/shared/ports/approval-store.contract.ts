import { describe, expect, it } from 'vitest';
import { tokenHash } from '../../../../../functions/shared/approvals/approval-id.js';
import type { ApprovalStore, ApprovalVote } from '../../../../../functions/shared/ports/approval-store.js';
import { newApproval } from '../../approve/approval-fixture.js';

export interface ApprovalStoreFixture {
  readonly store: ApprovalStore;
  /** Another handle on the same storage (another process or Lambda container). */
  readonly other: ApprovalStore;
}

const vote = (approver: string, decision: 'approve' | 'reject' = 'approve'): ApprovalVote => ({
  approver,
  as: approver,
  decision,
  comment: '',
  at: '2026-01-01T01:00:00.000Z',
});

/** What approve, cancel-pending and record-approval-timeout rely on, for every ApprovalStore adapter. */
export function approvalStoreContract(name: string, setup: () => Promise<ApprovalStoreFixture>): void {
  describe(`${name} (ApprovalStore contract)`, () => {
    it('creates a pending record that carries the token hash but never the token', async () => {
      // Arrange
      const { store, other } = await setup();
      // Act
      const { record, created } = await store.createPending(newApproval(), 'secret-token-1');
      // Assert
      expect(created).toBe(true);
      const read = await other.get(record.id);
      expect(read).toEqual({
        ...newApproval(),
        status: 'pending',
        votes: [],
        tokenHash: tokenHash('secret-token-1'),
        revision: 1,
      });
      expect(JSON.stringify(read)).not.toContain('secret-token-1');
      expect(JSON.stringify(await other.listPending())).not.toContain('secret-token-1');
      expect(await other.readToken(record.id)).toBe('secret-token-1');
    });

    it('replaces only the token when the same approval is created again with a new one', async () => {
      // Arrange
      const { store, other } = await setup();
      const first = await store.createPending(newApproval(), 'token-1');
      // Act
      const again = await other.createPending(
        newApproval({ requestedAt: '2026-01-01T00:30:00.000Z' }),
        'token-2',
      );
      // Assert
      expect(again).toMatchObject({ created: false, tokenReplaced: true });
      expect(again.record.requestedAt).toBe(first.record.requestedAt);
      expect(again.record.tokenHash).toBe(tokenHash('token-2'));
      expect(await store.readToken(first.record.id)).toBe('token-2');
    });

    it('returns the record unchanged when created again with the same token', async () => {
      const { store } = await setup();
      const first = await store.createPending(newApproval(), 'token-1');
      const again = await store.createPending(newApproval(), 'token-1');
      expect(again).toEqual({ record: first.record, created: false, tokenReplaced: false });
    });

    it('records a vote and a final decision by compare-and-swap', async () => {
      // Arrange
      const { store, other } = await setup();
      const { record } = await store.createPending(newApproval({ minApprovals: 2 }), 't');
      // Act
      const one = await store.update(record.id, 1, { type: 'vote', vote: vote('bob'), outcome: 'pending' });
      const two = await other.update(record.id, 2, {
        type: 'vote',
        vote: vote('carol'),
        outcome: 'approved',
      });
      // Assert
      expect(one).toMatchObject({ status: 'pending', revision: 2 });
      expect(two).toMatchObject({
        status: 'approved',
        revision: 3,
        decidedAt: '2026-01-01T01:00:00.000Z',
        delivery: { state: 'pending' },
      });
      expect((await store.get(record.id))?.votes.map((v) => v.approver)).toEqual(['bob', 'carol']);
      expect(await store.listPending()).toEqual([]);
    });

    it('throws LockConflictError and changes nothing when the revision is stale', async () => {
      // Arrange
      const { store, other } = await setup();
      const { record } = await store.createPending(newApproval({ minApprovals: 2 }), 't');
      await other.update(record.id, 1, { type: 'vote', vote: vote('bob'), outcome: 'pending' });
      // Act
      const stale = store.update(record.id, 1, { type: 'vote', vote: vote('carol'), outcome: 'pending' });
      // Assert
      await expect(stale).rejects.toMatchObject({ name: 'Tollgate.LockConflict' });
      expect((await store.get(record.id))?.votes).toHaveLength(1);
    });

    it('refuses to vote on, or cancel, a record that is no longer pending', async () => {
      // Arrange
      const { store } = await setup();
      const { record } = await store.createPending(newApproval(), 't');
      await store.update(record.id, 1, {
        type: 'cancel',
        at: '2026-01-01T02:00:00.000Z',
        reason: 'superseded',
      });
      // Act
      // Thunks: each call starts once the previous rejection is handled, so none is left unhandled.
      const voteCall = () =>
        store.update(record.id, 2, { type: 'vote', vote: vote('bob'), outcome: 'approved' });
      const cancelCall = () =>
        store.update(record.id, 2, { type: 'cancel', at: '2026-01-01T02:00:00.000Z', reason: 'again' });
      // Assert
      await expect(voteCall()).rejects.toMatchObject({ name: 'Tollgate.ApprovalStateConflict' });
      await expect(cancelCall()).rejects.toMatchObject({ name: 'Tollgate.ApprovalStateConflict' });
      expect(await store.get(record.id)).toMatchObject({
        status: 'cancelled',
        closeReason: 'superseded',
        revision: 2,
      });
    });

    it('expires a pending record, and a decided one only while its decision is undelivered', async () => {
      // Arrange
      const { store } = await setup();
      const { record } = await store.createPending(newApproval(), 't');
      await store.update(record.id, 1, { type: 'vote', vote: vote('bob'), outcome: 'approved' });
      // Act
      const expired = await store.update(record.id, 2, {
        type: 'expire',
        at: '2026-01-02T00:00:00.000Z',
        reason: 'timeout',
      });
      // Assert
      expect(expired).toMatchObject({ status: 'expired', closeReason: 'timeout', revision: 3 });
      const second = await store.createPending(newApproval({ id: 'apr-111111111111111111111111' }), 't2');
      await store.update(second.record.id, 1, { type: 'vote', vote: vote('bob'), outcome: 'approved' });
      await store.update(second.record.id, 2, {
        type: 'delivery',
        delivery: { state: 'delivered', at: '2026-01-01T01:00:01.000Z' },
      });
      await expect(
        store.update(second.record.id, 3, {
          type: 'expire',
          at: '2026-01-02T00:00:00.000Z',
          reason: 'timeout',
        }),
      ).rejects.toMatchObject({ name: 'Tollgate.ApprovalStateConflict' });
    });

    it('closes a pending record without a delivery, and opens it afresh when a redriven run asks again', async () => {
      // Arrange
      const { store, other } = await setup();
      const { record } = await store.createPending(newApproval(), 'token-before-stop');
      await store.update(record.id, record.revision, { type: 'vote', vote: vote('bob'), outcome: 'pending' });
      const closed = await store.update(record.id, record.revision + 1, {
        type: 'close',
        at: '2026-01-01T02:00:00.000Z',
        reason: 'run run-7 ended ABORTED at 02:00 UTC',
      });
      // Act
      const again = await store.createPending(
        newApproval({ requestedAt: '2026-01-01T03:00:00.000Z', expiresAt: '2026-01-02T03:00:00.000Z' }),
        'token-after-redrive',
      );
      // Assert
      expect(closed).toMatchObject({ status: 'closed', closeReason: 'run run-7 ended ABORTED at 02:00 UTC' });
      expect(closed.delivery).toBeUndefined();
      expect(again).toMatchObject({ created: false, tokenReplaced: true });
      expect(await other.get(record.id)).toMatchObject({
        status: 'pending',
        votes: [],
        expiresAt: '2026-01-02T03:00:00.000Z',
        revision: closed.revision + 1,
      });
      expect(await other.readToken(record.id)).toBe('token-after-redrive');
      await expect(
        store.update(record.id, closed.revision + 1, {
          type: 'close',
          at: '2026-01-01T04:00:00.000Z',
          reason: 'x',
        }),
      ).resolves.toMatchObject({ status: 'closed' });
    });

    it('lists pending records of one run, oldest first', async () => {
      // Arrange
      const { store } = await setup();
      await store.createPending(
        newApproval({ id: 'apr-bbbbbbbbbbbbbbbbbbbbbbbb', requestedAt: '2026-01-01T00:10:00.000Z' }),
        't1',
      );
      await store.createPending(
        newApproval({ id: 'apr-aaaaaaaaaaaaaaaaaaaaaaaa', requestedAt: '2026-01-01T00:05:00.000Z' }),
        't2',
      );
      await store.createPending(
        newApproval({ id: 'apr-cccccccccccccccccccccccc', executionArn: 'other-run' }),
        't3',
      );
      // Act
      const ofRun = await store.listPending({ executionArn: newApproval().executionArn });
      // Assert
      expect(ofRun.map((r) => r.id)).toEqual([
        'apr-aaaaaaaaaaaaaaaaaaaaaaaa',
        'apr-bbbbbbbbbbbbbbbbbbbbbbbb',
      ]);
      expect(await store.listPending()).toHaveLength(3);
    });

    it('forgets the token when it is discarded', async () => {
      const { store } = await setup();
      const { record } = await store.createPending(newApproval(), 't');
      await store.discardToken(record.id);
      expect(await store.readToken(record.id)).toBeUndefined();
      await store.discardToken(record.id); // discarding twice is fine
    });

    it('returns undefined for an unknown id and throws NotFound when updating it', async () => {
      const { store } = await setup();
      expect(await store.get('apr-000000000000000000000000')).toBeUndefined();
      await expect(
        store.update('apr-000000000000000000000000', 1, {
          type: 'cancel',
          at: '2026-01-01T00:00:00.000Z',
          reason: 'x',
        }),
      ).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
    });

    it('refuses a malformed id, an empty token and an inconsistent quorum without writing anything', async () => {
      // Arrange
      const { store } = await setup();
      // Act & Assert
      await expect(store.get('../../etc/passwd')).rejects.toThrow(
        /approval id "..\/..\/etc\/passwd" is malformed/,
      );
      await expect(store.createPending(newApproval(), '')).rejects.toThrow(
        /task token must be a non-empty string/,
      );
      await expect(store.createPending(newApproval({ minApprovals: 4 }), 't')).rejects.toThrow(
        /minApprovals must be an integer between 1 and the number of approvers \(3\)/,
      );
      await expect(
        store.createPending(newApproval({ expiresAt: '2025-01-01T00:00:00.000Z' }), 't'),
      ).rejects.toThrow(/expiresAt must be after requestedAt/);
      expect(await store.listPending()).toEqual([]);
    });
  });
}
