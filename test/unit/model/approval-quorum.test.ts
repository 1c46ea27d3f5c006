import { describe, expect, it } from 'vitest';
import { quorumView } from '../../../model/approval-quorum.js';

const vote = (as: string, decision: 'approve' | 'reject' = 'approve') => ({
  approver: as,
  as,
  decision,
  comment: `${as} checked`,
  at: '2026-12-03T07:00:00.000Z',
});

describe('quorumView', () => {
  it('returns the votes so far, how many approvals are still needed and who can still give them', () => {
    // Arrange
    const record = {
      approvers: ['ana', 'ben', 'cleo'],
      minApprovals: 2,
      allowSelfApproval: false,
      votes: [vote('ana')],
      commit: { author: { name: 'Dev', email: 'dev@example.com' } },
    };
    // Act
    const q = quorumView(record);
    // Assert
    expect(q).toMatchObject({
      needed: 2,
      approvals: 1,
      stillNeeded: 1,
      canStillVote: ['ben', 'cleo'],
      author: [],
    });
    expect(q.votes).toEqual([vote('ana')]);
  });

  it('leaves the commit author out of who can still vote unless self-approval is allowed', () => {
    // Arrange
    const record = {
      approvers: ['ana@example.com', 'dev@example.com'],
      minApprovals: 2,
      allowSelfApproval: false,
      votes: [],
      commit: { author: { name: 'Dev', email: 'DEV@example.com' } },
    };
    // Act
    const strict = quorumView(record);
    const relaxed = quorumView({ ...record, allowSelfApproval: true });
    // Assert
    expect(strict.canStillVote).toEqual(['ana@example.com']);
    expect(strict.author).toEqual(['dev@example.com']);
    expect(relaxed.canStillVote).toEqual(['ana@example.com', 'dev@example.com']);
  });

  it('counts one approval per approver entry, as approve does', () => {
    // Arrange
    const twice = { ...vote('ana'), approver: 'arn:aws:iam::1:user/ana' };
    const record = {
      approvers: ['ana', 'ben'],
      minApprovals: 2,
      allowSelfApproval: true,
      votes: [vote('ana'), twice],
    };
    // Act
    const q = quorumView(record);
    // Assert
    expect(q.approvals).toBe(1);
    expect(q.canStillVote).toEqual(['ben']);
  });
});
