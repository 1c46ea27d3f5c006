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
  /** `canary`: the release runs beside `baseline` with no traffic until shift-traffic moves some. */
  readonly mode: 'replace' | 'canary';
  /** The version serving when the deploy started (the canary's baseline); null on a first deploy. */
  readonly baseline: string | null;
}

/**
 * deploy: starts rolling the release out to one environment and returns at once; the state
 * machine then loops Wait -> poll-deployment until the rollout settles.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release: ReleaseRef }
 * Output: { deploymentId, environment, version, startedAt, mode, baseline }
 *
 * A canary or linear strategy deploys in `canary` mode when another release serves: the pipeline
 * then shifts traffic step by step. With nothing serving (or the same release serving) there is
 * nothing to compare with, so it replaces, and the pipeline skips the steps.
 *
 * Idempotent on executionArn + stateName: a re-invocation returns the same deploymentId and starts
 * nothing new.
 */
export async function deploy(
  input: DeployInput,
  ports: { readonly config: TollgateConfig; readonly deployer: Deployer; readonly clock: Clock },
): Promise<DeployOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const serving = (await ports.deployer.current(input.pipeline, env.name)) ?? null;
  const canary = env.strategy.type !== 'all-at-once' && serving !== null && serving !== input.release.version;
  const mode = canary ? 'canary' : 'replace';
  const { deploymentId } = await ports.deployer.start({
    pipeline: input.pipeline,
    environment: env.name,
    release: input.release,
    idempotencyKey: idempotencyKey(input),
    mode,
  });
  return {
    deploymentId,
    environment: env.name,
    version: input.release.version,
    startedAt: ports.clock.now().toISOString(),
    mode,
    baseline: canary ? serving : null,
  };
}
