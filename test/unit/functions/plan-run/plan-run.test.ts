import { describe, expect, it } from 'vitest';
import { planRun, TESTS_MARGIN_SECONDS } from '../../../../functions/plan-run/plan-run.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgateConfig } from '../../../../functions/shared/config/schema.js';
import { validConfig } from '../../../support/config-fixtures.js';

const commit = { repository: 'orders-service', branch: 'main', commit: 'a'.repeat(40) };

/** The source port answers from a set of known commits; the real adapters have their own tests. */
function portsFor(config: TollgateConfig, known: readonly string[] = [commit.commit]) {
  const asked: string[] = [];
  const source = {
    async vouchFor({ repository, commit: id }: { repository: string; commit: string }) {
      asked.push(`${repository}@${id}`);
      return known.includes(id)
        ? ({ known: true } as const)
        : ({ known: false, detail: `no ${id}` } as const);
    },
  };
  return { ports: { config, source }, asked };
}

describe('planRun', () => {
  it("returns each environment's canary steps and interval, and null for one that deploys all at once", async () => {
    // Arrange
    const raw = validConfig();
    raw.environments[1] = {
      ...raw.environments[1]!,
      strategy: {
        type: 'linear',
        increment: 25,
        interval: '90s',
        analysis: [{ source: 'requests', metric: 'error-rate', max: 0.01 }],
      },
    };
    // Act
    const plan = await planRun({ executionArn: 'arn:x', commit }, portsFor(parseConfig(raw)).ports);
    // Assert
    expect(plan.environments.map((e) => e.canary)).toEqual([
      null,
      { steps: [25, 50, 75], intervalSeconds: 90 },
    ]);
  });

  it('returns the environments in config order with poll bounds derived from their timeouts', async () => {
    // Arrange
    const raw = validConfig();
    raw.environments[0] = { ...raw.environments[0]!, deployTimeout: '2m', pollInterval: '7s' };
    raw.environments[1] = {
      ...raw.environments[1]!,
      approval: { approvers: ['ana', 'bo'], timeout: '1h', minApprovals: 2 },
    };
    // Act
    const plan = await planRun({ executionArn: 'arn:x', commit }, portsFor(parseConfig(raw)).ports);
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

  it('returns a recorded skip when the branch is not configured', async () => {
    const plan = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, branch: 'feature/x' } },
      portsFor(parseConfig(validConfig())).ports,
    );
    expect(plan.skip).toEqual({
      reason: 'branch-not-configured',
      detail: 'branch "feature/x" is not in source.branches (main)',
    });
  });

  it('returns a recorded skip when the commit is from another repository', async () => {
    const { ports, asked } = portsFor(parseConfig(validConfig()));
    const plan = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, repository: 'billing' } },
      ports,
    );
    expect(plan.skip?.reason).toBe('other-repository');
    expect(asked).toEqual([]);
  });

  it('returns a recorded skip when the repository does not have the commit', async () => {
    // Arrange
    const { ports, asked } = portsFor(parseConfig(validConfig()), []);
    // Act
    const plan = await planRun({ executionArn: 'arn:x', commit }, ports);
    // Assert
    expect(plan.skip).toEqual({ reason: 'unknown-commit', detail: `no ${commit.commit}` });
    expect(asked).toEqual([`orders-service@${commit.commit}`]);
  });

  it('returns only the target environment, with the one before it as previous, for a redeploy', async () => {
    // Arrange
    const redeploy = { ...commit, redeploy: { environment: 'prod' } };
    // Act
    const plan = await planRun(
      { executionArn: 'arn:x', commit: redeploy },
      portsFor(parseConfig(validConfig())).ports,
    );
    // Assert
    expect(plan.skip).toBeUndefined();
    expect(plan.environments.map((e) => [e.name, e.index, e.previous])).toEqual([['prod', 1, 'test']]);
  });

  it("bounds each test phase's polls by its commands' timeouts plus the margin for a CodeBuild build to start", async () => {
    // Arrange: two deploy-phase suites (5 + 2 minutes) and none after promote, polled every 10 s
    const raw = validConfig();
    raw.environments[0] = {
      ...raw.environments[0]!,
      pollInterval: '10s',
      tests: [
        { name: 'integration', run: 'npm run test:integration', timeout: '5m' },
        { name: 'contract', run: 'npm run test:contract', timeout: '2m' },
      ],
    };
    // Act
    const plan = await planRun({ executionArn: 'arn:x', commit }, portsFor(parseConfig(raw)).ports);
    // Assert
    expect(TESTS_MARGIN_SECONDS).toBe(600);
    expect(plan.environments[0]!.tests).toEqual({
      deploy: { maxPolls: Math.ceil((300 + 120 + TESTS_MARGIN_SECONDS) / 10) },
      promote: null,
    });
  });

  it('returns the environment a retry failed in and every one after it', async () => {
    // Act
    const fromTest = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, redeploy: { environment: 'test', retryOf: 'run-1' } } },
      portsFor(parseConfig(validConfig())).ports,
    );
    const fromProd = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, redeploy: { environment: 'prod', retryOf: 'run-1' } } },
      portsFor(parseConfig(validConfig())).ports,
    );
    const unknown = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, redeploy: { environment: 'qa', retryOf: 'run-1' } } },
      portsFor(parseConfig(validConfig())).ports,
    );
    // Assert
    expect(fromTest.environments.map((e) => [e.name, e.previous])).toEqual([
      ['test', null],
      ['prod', 'test'],
    ]);
    expect(fromProd.environments.map((e) => e.name)).toEqual(['prod']);
    expect(unknown.skip?.reason).toBe('unknown-environment');
  });

  it('returns a recorded skip naming the environments for a redeploy into one the pipeline lacks', async () => {
    // Act
    const plan = await planRun(
      { executionArn: 'arn:x', commit: { ...commit, redeploy: { environment: 'qa' } } },
      portsFor(parseConfig(validConfig())).ports,
    );
    // Assert
    expect(plan.skip).toEqual({
      reason: 'unknown-environment',
      detail: 'environment "qa" is not in this pipeline (test, prod)',
    });
  });
});
