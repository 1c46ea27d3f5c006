import { describe, expect, it } from 'vitest';
import { deploy } from '../../../../functions/deploy/deploy.js';
import { createHandler } from '../../../../functions/deploy/handler.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref, ScriptedDeployer } from './scripted-deployer.js';

const arn = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:run-1';

describe('deploy', () => {
  const config = parseConfig(validConfig());
  const clock = new ManualClock('2026-03-01T10:00:00.000Z');

  it('returns the deployment id and starts the rollout keyed by execution ARN and state name', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    // Act
    const out = await deploy(
      {
        executionArn: arn,
        stateName: 'Deploy',
        pipeline: 'orders-service',
        environment: 'test',
        release: ref('r1-aaaaaaa'),
      },
      { config, deployer, clock },
    );
    // Assert
    expect(out).toEqual({
      deploymentId: `scripted:${arn}#Deploy#test`,
      environment: 'test',
      version: 'r1-aaaaaaa',
      startedAt: '2026-03-01T10:00:00.000Z',
      mode: 'replace',
      baseline: null,
    });
    expect(deployer.starts).toEqual([
      {
        pipeline: 'orders-service',
        environment: 'test',
        release: ref('r1-aaaaaaa'),
        idempotencyKey: `${arn}#Deploy#test`,
        mode: 'replace',
      },
    ]);
  });

  describe('with a canary strategy', () => {
    const canaryConfig = () => {
      const raw = validConfig();
      raw.environments[0] = {
        ...raw.environments[0]!,
        strategy: {
          type: 'canary',
          steps: [10, 50],
          analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05 }],
        },
      };
      return parseConfig(raw);
    };
    const input = (version: string) => ({
      executionArn: arn,
      stateName: 'Deploy',
      pipeline: 'orders-service',
      environment: 'test',
      release: ref(version),
    });

    it('starts the release in canary mode beside the serving one and names that one as the baseline', async () => {
      // Arrange
      const deployer = new ScriptedDeployer();
      deployer.serving.set('test', ref('r1-aaaaaaa'));
      // Act
      const out = await deploy(input('r2-bbbbbbb'), { config: canaryConfig(), deployer, clock });
      // Assert
      expect(out).toMatchObject({ mode: 'canary', baseline: 'r1-aaaaaaa', version: 'r2-bbbbbbb' });
      expect(deployer.starts[0]).toMatchObject({ mode: 'canary' });
    });

    it('replaces when nothing serves yet: a first deploy has no baseline to compare with', async () => {
      // Arrange
      const deployer = new ScriptedDeployer();
      // Act
      const out = await deploy(input('r1-aaaaaaa'), { config: canaryConfig(), deployer, clock });
      // Assert
      expect(out).toMatchObject({ mode: 'replace', baseline: null });
      expect(deployer.starts[0]).toMatchObject({ mode: 'replace' });
    });

    it('replaces when the same release already serves (a re-run): a canary of itself compares nothing', async () => {
      // Arrange
      const deployer = new ScriptedDeployer();
      deployer.serving.set('test', ref('r1-aaaaaaa'));
      // Act
      const out = await deploy(input('r1-aaaaaaa'), { config: canaryConfig(), deployer, clock });
      // Assert
      expect(out).toMatchObject({ mode: 'replace', baseline: null });
    });
  });

  it('throws InvalidInput and starts nothing when the environment is not configured', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    // Act
    const attempt = deploy(
      {
        executionArn: arn,
        stateName: 'Deploy',
        pipeline: 'orders-service',
        environment: 'qa',
        release: ref('r1'),
      },
      { config, deployer, clock },
    );
    // Assert
    await expect(attempt).rejects.toThrow('environment "qa" is not in the config (known: test, prod)');
    expect(deployer.starts).toEqual([]);
  });

  it('throws InvalidInput and starts nothing when the pipeline is not the configured one', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    // Act
    const attempt = deploy(
      {
        executionArn: arn,
        stateName: 'Deploy',
        pipeline: 'billing',
        environment: 'test',
        release: ref('r1'),
      },
      { config, deployer, clock },
    );
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(deployer.starts).toEqual([]);
  });

  it('rejects an event without a release through the handler before touching the deployer', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    const handler = createHandler(async () => ({ config, clock, deployer }) as unknown as TollgatePorts);
    // Act
    const attempt = handler({
      executionArn: arn,
      stateName: 'Deploy',
      pipeline: 'orders-service',
      environment: 'test',
    });
    // Assert
    await expect(attempt).rejects.toThrow(/^deploy: invalid input: release: /);
    expect(deployer.starts).toEqual([]);
  });

  it('rejects a release whose digest is not a sha256 digest through the handler', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    const handler = createHandler(async () => ({ config, clock, deployer }) as unknown as TollgatePorts);
    // Act
    const attempt = handler({
      executionArn: arn,
      stateName: 'Deploy',
      pipeline: 'orders-service',
      environment: 'test',
      release: { ...ref('r1'), digest: 'md5:abc' },
    });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(deployer.starts).toEqual([]);
  });
});
