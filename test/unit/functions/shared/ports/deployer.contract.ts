import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployer, DeploymentStatus } from '../../../../../functions/shared/ports/deployer.js';
import type { ReleaseRef } from '../../../../../functions/shared/release.js';

/**
 * What every Deployer adapter must do, whatever it drives (local processes, an ECS service).
 * The harness supplies releases that the target can run (`first`, `second`) and one that never
 * becomes healthy (`broken`), plus `advance` to let the world move between polls.
 */
export interface DeployerHarness {
  readonly deployer: Deployer;
  readonly pipeline: string;
  /** A configured environment the deployer can roll out to. */
  readonly environment: string;
  readonly releases: { readonly first: ReleaseRef; readonly second: ReleaseRef; readonly broken: ReleaseRef };
  /** A well-formed deployment id that was never issued. */
  readonly unknownDeploymentId: string;
  advance(): Promise<void>;
  close(): Promise<void>;
}

export async function settle(
  harness: DeployerHarness,
  deploymentId: string,
  maxPolls = 200,
): Promise<DeploymentStatus> {
  for (let i = 0; i < maxPolls; i += 1) {
    const status = await harness.deployer.poll(deploymentId);
    if (status.state !== 'IN_PROGRESS') return status;
    await harness.advance();
  }
  throw new Error(`deployment ${deploymentId} still IN_PROGRESS after ${maxPolls} polls`);
}

export function describeDeployerContract(name: string, setup: () => Promise<DeployerHarness>): void {
  describe(`Deployer contract: ${name}`, () => {
    let h: DeployerHarness;
    const key = (n: string) => `arn:aws:states:us-east-1:123456789012:execution:tollgate:${n}#Deploy`;
    const deploy = async (release: ReleaseRef, n: string) => {
      const { deploymentId } = await h.deployer.start({
        pipeline: h.pipeline,
        environment: h.environment,
        release,
        idempotencyKey: key(n),
      });
      return { deploymentId, status: await settle(h, deploymentId) };
    };

    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.close();
    });

    it('returns undefined from current when nothing was ever deployed', async () => {
      // Arrange
      // Act
      const current = await h.deployer.current(h.pipeline, h.environment);
      // Assert
      expect(current).toBeUndefined();
    });

    it('reports HEALTHY and serves the release when a healthy release is deployed', async () => {
      // Arrange
      // Act
      const { deploymentId, status } = await deploy(h.releases.first, 'run-1');
      // Assert
      expect(status).toMatchObject({ deploymentId, state: 'HEALTHY', serving: h.releases.first.version });
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.first.version);
    });

    it('returns the same deployment and starts no new rollout when the idempotency key repeats', async () => {
      // Arrange
      const request = {
        pipeline: h.pipeline,
        environment: h.environment,
        release: h.releases.first,
        idempotencyKey: key('run-1'),
      };
      // Act
      const [a, b] = await Promise.all([h.deployer.start(request), h.deployer.start(request)]);
      await settle(h, a.deploymentId);
      const again = await h.deployer.start(request);
      const status = await h.deployer.poll(again.deploymentId);
      // Assert
      expect(b.deploymentId).toBe(a.deploymentId);
      expect(again.deploymentId).toBe(a.deploymentId);
      expect(status.state).toBe('HEALTHY');
    });

    it('moves to the new release when a second healthy release is deployed', async () => {
      // Arrange
      await deploy(h.releases.first, 'run-1');
      // Act
      const { status } = await deploy(h.releases.second, 'run-2');
      // Assert
      expect(status).toMatchObject({ state: 'HEALTHY', serving: h.releases.second.version });
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.second.version);
    });

    it('reports FAILED with a reason and keeps the previous release serving when the new one is unhealthy', async () => {
      // Arrange
      await deploy(h.releases.first, 'run-1');
      // Act
      const { status } = await deploy(h.releases.broken, 'run-2');
      // Assert
      expect(status.state).toBe('FAILED');
      expect(status.reason).toMatch(/\S/);
      expect(status.serving).toBe(h.releases.first.version);
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.first.version);
    });

    it('throws NotFound when polling a deployment id that was never issued', async () => {
      // Arrange
      // Act
      const attempt = h.deployer.poll(h.unknownDeploymentId);
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
    });

    it('throws InvalidInput for a malformed deployment id', async () => {
      // Arrange
      // Act
      const attempt = h.deployer.poll('not a deployment id');
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    });

    it('throws InvalidInput and changes nothing when the environment is not configured', async () => {
      // Arrange
      await deploy(h.releases.first, 'run-1');
      // Act
      const attempt = h.deployer.start({
        pipeline: h.pipeline,
        environment: 'nowhere',
        release: h.releases.second,
        idempotencyKey: key('run-2'),
      });
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      await expect(attempt).rejects.toThrow(/"nowhere"/);
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.first.version);
    });

    it('throws InvalidInput when the pipeline is not the one the deployer serves', async () => {
      // Arrange
      // Act
      const attempt = h.deployer.current('some-other-pipeline', h.environment);
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    });
  });
}
