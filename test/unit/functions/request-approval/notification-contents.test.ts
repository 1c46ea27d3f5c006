import { describe, expect, it } from 'vitest';
import { approvalNotification } from '../../../../functions/request-approval/notification.js';
import type { ApprovalRecord } from '../../../../functions/shared/ports/approval-store.js';

/** A pending prod approval whose evidence is what buildEvidence returns for a redeploy. */
function record(evidence: Record<string, unknown>): ApprovalRecord {
  return {
    id: 'a1',
    pipeline: 'orders',
    environment: 'prod',
    executionArn: 'arn:aws:states:local:000000000000:execution:orders:run-9',
    release: {
      version: 'r1-1a2b3c4',
      digest: `sha256:${'0'.repeat(64)}`,
      artifactKey: 'k',
      commit: '1'.repeat(40),
    },
    commit: {
      repository: 'orders',
      branch: 'main',
      commit: '1'.repeat(40),
      parents: [],
      author: { name: 'Dev', email: 'dev@example.test' },
      message: 'ORD-1',
      timestamp: '2026-01-01T00:00:00Z',
    },
    approvers: ['ana'],
    minApprovals: 1,
    allowSelfApproval: false,
    requestedAt: '2026-01-01T00:00:00Z',
    expiresAt: '2026-01-02T00:00:00Z',
    evidence,
    status: 'pending',
    votes: [],
    tokenHash: 'h',
    revision: 1,
  } as unknown as ApprovalRecord;
}

describe('approvalNotification', () => {
  it('lists the commits and features the release adds, with links, and who asked for a redeploy and why', () => {
    // Act
    const notice = approvalNotification(
      record({
        current: { version: 'r2-bbbbbbb' },
        contents: {
          listed: true,
          commits: [{}, {}],
          features: [{ id: 'ORD-2', link: 'https://tracker.example/browse/ORD-2' }, { id: '#7' }],
        },
        redeploy: { requestedBy: 'ben', reason: 'r2 is slow', notPassed: ['test'] },
      }),
    );
    // Assert
    expect(notice.body).toContain(
      'Commits it adds: 2; features: ORD-2 (https://tracker.example/browse/ORD-2), #7',
    );
    expect(notice.body).toContain('Redeploy asked by ben: r2 is slow (never passed test)');
  });

  it('says nothing of contents a source could not list', () => {
    const notice = approvalNotification(record({ contents: { listed: false, detail: 'GitHub source' } }));
    expect(notice.body).not.toMatch(/Commits it adds|Redeploy/);
  });
});
