import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployer, DeploymentStatus } from '../../../../../functions/shared/ports/deployer.js';
import type { TrafficRouter } from '../../../../../functions/shared/ports/traffic-router.js';
import type { ReleaseRef } from '../../../../../functions/shared/release.js';

/**
 * What every TrafficRouter adapter must do together with its Deployer (which starts the canary
 * beside the serving release, DeployRequest.mode 'canary'), whatever carries the traffic: the
 * local proxy or an ALB listener rule. The harness supplies two runnable releases and `advance`
 * to let the world move between polls.
 */
export interface TrafficRouterHarness {
  readonly router: TrafficRouter;
  readonly deployer: Deployer;
  readonly pipeline: string;
  readonly environment: string;
  readonly releases: { readonly baseline: ReleaseRef; readonly canary: ReleaseRef };
  advance(): Promise<void>;
  close(): Promise<void>;
}

async function settled(h: TrafficRouterHarness, deploymentId: string): Promise<DeploymentStatus> {
  for (let i = 0; i < 200; i += 1) {
    const status = await h.deployer.poll(deploymentId);
    if (status.state !== 'IN_PROGRESS') return status;
    await h.advance();
  }
  throw new Error(`deployment ${deploymentId} still IN_PROGRESS after 200 polls`);
}

/**
 * Completes as the pipeline does: an adapter may need the world to move before the canary can stop
 * (on ECS the environment's service first rolls to the canary's task definition, meanwhile the
 * canary serves everything), so complete is repeated, with `advance` between, until the canary's
 * share is back to 0. The local proxy completes on the first call.
 */
async function completed(h: TrafficRouterHarness, canaryVersion: string) {
  for (let i = 0; i < 50; i += 1) {
    const split = await h.router.complete({
      pipeline: h.pipeline,
      environment: h.environment,
      canaryVersion,
    });
    if (split.canaryPercent === 0) return split;
    expect(split).toMatchObject({ canary: canaryVersion, canaryPercent: 100 });
    await h.advance();
  }
  throw new Error(`complete of ${canaryVersion} still not settled after 50 calls`);
}

/** Deploys and waits; exported so an adapter's own tests reach the same starting point. */
export async function deployAndSettle(
  h: TrafficRouterHarness,
  release: ReleaseRef,
  run: string,
  mode: 'replace' | 'canary',
): Promise<DeploymentStatus> {
  const { deploymentId } = await h.deployer.start({
    pipeline: h.pipeline,
    environment: h.environment,
    release,
    idempotencyKey: `arn:aws:states:us-east-1:123456789012:execution:tollgate:${run}#Deploy`,
    mode,
  });
  return settled(h, deploymentId);
}

export function describeTrafficRouterContract(
  name: string,
  setup: () => Promise<TrafficRouterHarness>,
): void {
  describe(`TrafficRouter contract: ${name}`, () => {
    let h: TrafficRouterHarness;
    const target = () => ({ pipeline: h.pipeline, environment: h.environment });
    const withCanary = async () => {
      await deployAndSettle(h, h.releases.baseline, 'run-1', 'replace');
      return deployAndSettle(h, h.releases.canary, 'run-2', 'canary');
    };
    const canaryVersion = () => h.releases.canary.version;

    beforeEach(async () => {
      h = await setup();
    });
    afterEach(async () => {
      await h.close();
    });

    it('returns no split when nothing was ever deployed', async () => {
      // Arrange
      // Act
      const split = await h.router.split(h.pipeline, h.environment);
      // Assert
      expect(split).toBeUndefined();
    });

    it('starts the canary beside the baseline with 0% and keeps reporting the baseline as current', async () => {
      // Arrange
      await deployAndSettle(h, h.releases.baseline, 'run-1', 'replace');
      // Act
      const status = await deployAndSettle(h, h.releases.canary, 'run-2', 'canary');
      // Assert
      expect(status).toMatchObject({ state: 'HEALTHY', serving: h.releases.baseline.version });
      expect(await h.router.split(h.pipeline, h.environment)).toEqual({
        baseline: h.releases.baseline.version,
        canary: canaryVersion(),
        canaryPercent: 0,
      });
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.baseline.version);
    });

    it('deploys as replace when canary mode finds nothing serving (first deploy)', async () => {
      // Arrange
      // Act
      const status = await deployAndSettle(h, h.releases.canary, 'run-1', 'canary');
      // Assert
      expect(status).toMatchObject({ state: 'HEALTHY', serving: canaryVersion() });
      expect(await h.router.split(h.pipeline, h.environment)).toEqual({
        baseline: canaryVersion(),
        canaryPercent: 0,
      });
    });

    it('gives the canary the asked share, and the same split again when the shift is repeated', async () => {
      // Arrange
      await withCanary();
      // Act
      const first = await h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent: 25 });
      const again = await h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent: 25 });
      // Assert
      const expected = { baseline: h.releases.baseline.version, canary: canaryVersion(), canaryPercent: 25 };
      expect(first).toEqual(expected);
      expect(again).toEqual(expected);
      expect(await h.router.split(h.pipeline, h.environment)).toEqual(expected);
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.baseline.version);
    });

    it.each([101, -1, 12.5])(
      'throws InvalidInput and keeps the split when the percent is %s',
      async (percent) => {
        // Arrange
        await withCanary();
        await h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent: 10 });
        // Act
        const attempt = h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent });
        // Assert
        await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
        expect((await h.router.split(h.pipeline, h.environment))?.canaryPercent).toBe(10);
      },
    );

    it('throws NotFound and changes nothing when shifting to a version that is not the running canary', async () => {
      // Arrange
      await withCanary();
      // Act
      const attempt = h.router.shift({ ...target(), canaryVersion: 'r9-not-running', percent: 50 });
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
      expect((await h.router.split(h.pipeline, h.environment))?.canaryPercent).toBe(0);
    });

    it('gives the baseline every request and drops the canary on abort, and does so again harmlessly', async () => {
      // Arrange
      await withCanary();
      await h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent: 50 });
      const abort = {
        ...target(),
        canaryVersion: canaryVersion(),
        reason: 'error-rate 0.2 > 0.01 at step 1',
      };
      // Act
      const split = await h.router.abort(abort);
      const again = await h.router.abort(abort);
      // Assert
      const expected = { baseline: h.releases.baseline.version, canaryPercent: 0 };
      expect(split).toEqual(expected);
      expect(again).toEqual(expected);
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.baseline.version);
    });

    it('makes the canary the release on complete, and does so again harmlessly', async () => {
      // Arrange
      await withCanary();
      await h.router.shift({ ...target(), canaryVersion: canaryVersion(), percent: 50 });
      // Act
      const split = await completed(h, canaryVersion());
      const again = await h.router.complete({ ...target(), canaryVersion: canaryVersion() });
      // Assert
      expect(split).toEqual({ baseline: canaryVersion(), canaryPercent: 0 });
      expect(again).toEqual({ baseline: canaryVersion(), canaryPercent: 0 });
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(canaryVersion());
    });

    it('throws NotFound on complete when no canary of that version runs', async () => {
      // Arrange
      await deployAndSettle(h, h.releases.baseline, 'run-1', 'replace');
      // Act
      const attempt = h.router.complete({ ...target(), canaryVersion: canaryVersion() });
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
      expect(await h.deployer.current(h.pipeline, h.environment)).toBe(h.releases.baseline.version);
    });

    it('throws InvalidInput for an environment that is not configured', async () => {
      // Arrange
      // Act
      const attempt = h.router.shift({
        pipeline: h.pipeline,
        environment: 'nowhere',
        canaryVersion: canaryVersion(),
        percent: 10,
      });
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    });
  });
}
