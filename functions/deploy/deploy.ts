import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import type { Deployer } from '../shared/ports/deployer.js';
import type { DeployInput } from './input.js';
import { idempotencyKey, targetEnvironment } from './target-environment.js';

export interface DeployOutput {
  readonly deploymentId: string;
  readonly environment: string;
  readonly version: string;
  readonly startedAt: string;
}

/**
 * deploy: starts rolling the release out to one environment and returns at once; the state
 * machine then loops Wait -> poll-deployment until the rollout settles.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release: ReleaseRef }
 * Output: { deploymentId, environment, version, startedAt }
 *
 * Idempotent on executionArn + stateName: a re-invocation returns the same deploymentId and starts
 * nothing new.
 */
export async function deploy(
  input: DeployInput,
  ports: { readonly config: TollgateConfig; readonly deployer: Deployer; readonly clock: Clock },
): Promise<DeployOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const { deploymentId } = await ports.deployer.start({
    pipeline: input.pipeline,
    environment: env.name,
    release: input.release,
    idempotencyKey: idempotencyKey(input),
  });
  return {
    deploymentId,
    environment: env.name,
    version: input.release.version,
    startedAt: ports.clock.now().toISOString(),
  };
}
