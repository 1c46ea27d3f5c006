import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/poll-deployment/handler.js';
import { pollDeployment } from '../../../../functions/poll-deployment/poll-deployment.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref, ScriptedDeployer } from '../deploy/scripted-deployer.js';

const base = {
  executionArn: 'arn:x',
  stateName: 'PollDeployment',
  pipeline: 'orders-service',
  environment: 'test',
};

describe('pollDeployment', () => {
  const config = parseConfig(validConfig());

  it('returns HEALTHY with the serving version when the rollout succeeded', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'test',
      release: ref('r1'),
      idempotencyKey: 'k',
    });
    // Act
    const out = await pollDeployment({ ...base, deploymentId }, { config, deployer });
    // Assert
    expect(out).toEqual({ deploymentId, state: 'HEALTHY', serving: 'r1', environment: 'test' });
  });

  it('returns FAILED with the reason instead of throwing so the Choice state can route it', async () => {
    // Arrange
    const deployer = new ScriptedDeployer(() => 'FAILED');
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'test',
      release: ref('r2'),
      idempotencyKey: 'k',
    });
    // Act
    const out = await pollDeployment({ ...base, deploymentId }, { config, deployer });
    // Assert
    expect(out).toMatchObject({ state: 'FAILED', reason: 'r2 is unhealthy' });
  });

  it('throws NotFound for a deployment id the deployer never issued', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    // Act
    const attempt = pollDeployment({ ...base, deploymentId: 'scripted:nope' }, { config, deployer });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
  });

  it('throws InvalidInput for an environment that is not configured', async () => {
    // Arrange
    const deployer = new ScriptedDeployer();
    // Act
    const attempt = pollDeployment({ ...base, environment: 'qa', deploymentId: 'x' }, { config, deployer });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
  });

  it('rejects an event without a deploymentId through the handler', async () => {
    // Arrange
    const handler = createHandler(
      async () => ({ config, deployer: new ScriptedDeployer() }) as unknown as TollgatePorts,
    );
    // Act
    const attempt = handler(base);
    // Assert
    await expect(attempt).rejects.toThrow(/^poll-deployment: invalid input: deploymentId: /);
  });
});
