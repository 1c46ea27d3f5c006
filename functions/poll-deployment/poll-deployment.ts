import { targetEnvironment } from '../deploy/target-environment.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import type { Deployer, DeploymentStatus } from '../shared/ports/deployer.js';
import type { PollDeploymentInput } from './input.js';

export type PollDeploymentOutput = DeploymentStatus & { readonly environment: string };

/**
 * poll-deployment: one look at a rollout. It never waits; the state machine's Wait/Choice loop
 * does, with an attempt bound, so no Lambda blocks on a slow rollout.
 *
 * Input:  { executionArn, stateName, pipeline, environment, deploymentId }
 * Output: { deploymentId, environment, state: 'IN_PROGRESS' | 'HEALTHY' | 'FAILED', reason?, serving? }
 *         `serving` is the version serving now: on FAILED it is still the previous release.
 *         FAILED is returned, not thrown, so the Choice state routes it (with `reason`) to rollback.
 */
export async function pollDeployment(
  input: PollDeploymentInput,
  ports: { readonly config: TollgateConfig; readonly deployer: Deployer },
): Promise<PollDeploymentOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const status = await ports.deployer.poll(input.deploymentId);
  return { ...status, environment: env.name };
}
