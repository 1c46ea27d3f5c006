import { describe, expect, it } from 'vitest';
import { planRun } from '../../../../functions/plan-run/plan-run.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import { validConfig } from '../../../support/config-fixtures.js';

const commit = { repository: 'orders-service', branch: 'main', commit: 'a'.repeat(40) };

describe('planRun', () => {
  it('returns the environments in config order with poll bounds derived from their timeouts', () => {
    // Arrange
    const raw = validConfig();
    raw.environments[0] = { ...raw.environments[0]!, deployTimeout: '2m', pollInterval: '7s' };
    raw.environments[1] = {
      ...raw.environments[1]!,
      approval: { approvers: ['ana', 'bo'], timeout: '1h', minApprovals: 2 },
    };
    // Act
    const plan = planRun({ executionArn: 'arn:x', commit }, parseConfig(raw));
    // Assert
    expect(plan.environments.map((e) => e.name)).toEqual(['test', 'prod']);
    expect(plan.environments[0]).toMatchObject({
      pollSeconds: 7,
      maxPollAttempts: 18,
      deployTimeoutSeconds: 120,
    });
    expect(plan.environments[1]!.approval).toEqual({
      timeoutSeconds: 3600,
      approvers: ['ana', 'bo'],
      minApprovals: 2,
      allowSelfApproval: false,
    });
    expect(plan.build.artifactKey).toBe(`builds/orders-service/${'a'.repeat(40)}/release.tgz`);
    expect(plan.skip).toBeUndefined();
  });

  it('returns a recorded skip when the branch is not configured', () => {
    const plan = planRun(
      { executionArn: 'arn:x', commit: { ...commit, branch: 'feature/x' } },
      parseConfig(validConfig()),
    );
    expect(plan.skip).toEqual({
      reason: 'branch-not-configured',
      detail: 'branch "feature/x" is not in source.branches (main)',
    });
  });

  it('returns a recorded skip when the commit is from another repository', () => {
    const plan = planRun(
      { executionArn: 'arn:x', commit: { ...commit, repository: 'billing' } },
      parseConfig(validConfig()),
    );
    expect(plan.skip?.reason).toBe('other-repository');
  });
});
