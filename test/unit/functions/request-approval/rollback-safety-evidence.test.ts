import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestApproval } from '../../../../functions/request-approval/request-approval.js';
import { localApprovalPorts, PIPELINE, storeRelease } from './request-approval-fixture.js';

const RUN = 'arn:aws:states:eu-west-1:123456789012:execution:orders-service:run-breaking';

describe('requestApproval rollback safety', () => {
  async function gate(compatibility: Record<string, unknown> | undefined) {
    const { ports, dir } = localApprovalPorts();
    const release = await storeRelease(ports, 7, ['0001_create.sql', '0002_drop_note.sql']);
    if (compatibility) {
      await ports.ledger.append({
        kind: 'compatibility-check',
        pipeline: PIPELINE,
        at: '2025-12-31T00:00:00.000Z',
        executionArn: RUN,
        environment: 'test',
        releaseVersion: release.version,
        data: compatibility,
        idempotencyKey: `${RUN}#CheckCompatibility#test`,
      });
    }
    const out = await requestApproval(
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
          parents: [],
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
        previousEnvironment: null,
        taskToken: 'token-one',
      },
      ports,
    );
    const notice = JSON.parse(readFileSync(join(dir, 'inbox', 'notifications.jsonl'), 'utf8').trim()) as {
      body: string;
    };
    return { evidence: (await ports.approvals.get(out.approvalId))?.evidence, notice };
  }

  it('warns the approvers that a rollback would need a data restore when test found the migration breaking', async () => {
    // Arrange
    const warning =
      'a rollback of r7-7777777 would need a data restore: r6-6666666 fails on the schema after 0002_drop_note';

    // Act
    const { evidence, notice } = await gate({ result: 'breaking', rollbackSafe: false, warning });

    // Assert
    expect(evidence).toMatchObject({ rollbackSafety: { checkedIn: 'test', result: 'breaking', warning } });
    expect(notice.body).toContain(`WARNING: ${warning}`);
  });

  it('shows a passed check without a warning, and null when no check ran', async () => {
    // Act
    const passed = await gate({ result: 'passed', rollbackSafe: true });
    const none = await gate(undefined);

    // Assert
    expect(passed.evidence).toMatchObject({ rollbackSafety: { checkedIn: 'test', result: 'passed' } });
    expect(passed.notice.body).not.toContain('WARNING');
    expect(none.evidence).toMatchObject({ rollbackSafety: null });
  });
});
