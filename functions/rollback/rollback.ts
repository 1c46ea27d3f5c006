import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import { type EnvPointer, envPointerKey, releaseOf } from '../promote/env-pointer.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { DeployFailedError } from '../shared/errors.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Deployer, DeploymentState } from '../shared/ports/deployer.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { ReleaseRef } from '../shared/release.js';

/**
 * rollback: puts the environment back on the release it ran before the failed one and records a
 * `rollback` ledger entry (failed version, restored version, reason, outcome).
 *
 * Input:  { executionArn, stateName, pipeline, environment, release: ReleaseRef (the failed one),
 *           reason: { error, cause, ...anything else, e.g. stage } }
 * Output: { environment, failedVersion, restoredVersion: string | null,
 *           action: 'redeployed' | 'already-serving' | 'stopped' | 'nothing-running',
 *           deploymentId?, state?: DeploymentState, ledgerSeq }
 *
 * What to restore: the env pointer's release (the last promoted one) unless that is the failed
 * release itself, then the pointer's `previous`; with no pointer, the deployer's own record of what
 * served before. A local deploy that failed its health check never swapped, so the old release is
 * usually still serving ('already-serving'). With nothing to restore, the failed release is
 * stopped. The redeploy is waited for within a bounded budget; it is already unpacked/registered,
 * so it is quick. Throws Tollgate.DeployFailed (after recording) when the redeploy fails.
 */
export interface RollbackInput {
  readonly executionArn: string;
  readonly stateName: string;
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly reason: { readonly error: string; readonly cause?: string | null } & Record<string, unknown>;
}

export type RollbackAction = 'redeployed' | 'already-serving' | 'stopped' | 'nothing-running';

export interface RollbackOutput {
  readonly environment: string;
  readonly failedVersion: string;
  readonly restoredVersion: string | null;
  readonly action: RollbackAction;
  readonly deploymentId?: string;
  readonly state?: DeploymentState;
  readonly ledgerSeq: number;
}

/** Optional Deployer capabilities rollback uses when an adapter offers them (both ours do). */
export interface RollbackCapableDeployer extends Deployer {
  previous?(pipeline: string, environment: string): Promise<ReleaseRef | undefined>;
  stop?(pipeline: string, environment: string): Promise<string | undefined>;
}

export interface RollbackPorts {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly artifacts: ArtifactStore;
  readonly deployer: RollbackCapableDeployer;
  readonly ledger: Ledger;
}

export interface RollbackOptions {
  readonly sleep: (ms: number) => Promise<void>;
  /** @default 1000 */
  readonly pollIntervalMs?: number;
  /** Polls before giving up waiting (the outcome is then reported as IN_PROGRESS). @default 120 */
  readonly maxPolls?: number;
}

export async function rollback(
  input: RollbackInput,
  ports: RollbackPorts,
  options: RollbackOptions,
): Promise<RollbackOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const failed = input.release;
  const target = await restoreTarget(input, ports);
  const serving = await ports.deployer.current(input.pipeline, env.name);
  let outcome: Pick<RollbackOutput, 'action' | 'deploymentId' | 'state'>;
  let detail: string | undefined;
  if (target && serving === target.version) {
    outcome = { action: 'already-serving' };
  } else if (target) {
    const { deploymentId } = await ports.deployer.start({
      pipeline: input.pipeline,
      environment: env.name,
      release: target,
      idempotencyKey: idempotencyKey(input),
    });
    const status = await waitForRollout(ports.deployer, deploymentId, options);
    outcome = { action: 'redeployed', deploymentId, state: status.state };
    detail = status.reason;
  } else if (serving === failed.version && ports.deployer.stop) {
    await ports.deployer.stop(input.pipeline, env.name);
    outcome = { action: 'stopped' };
  } else {
    outcome = { action: 'nothing-running' };
  }
  const { seq } = await ports.ledger.append({
    kind: 'rollback',
    pipeline: input.pipeline,
    at: ports.clock.now().toISOString(),
    executionArn: input.executionArn,
    environment: env.name,
    releaseVersion: failed.version,
    actor: 'tollgate',
    data: {
      failedVersion: failed.version,
      restoredVersion: target?.version ?? null,
      reason: input.reason,
      ...outcome,
      ...(detail ? { rolloutReason: detail } : {}),
    },
    idempotencyKey: idempotencyKey(input),
  });
  if (outcome.state === 'FAILED') {
    throw new DeployFailedError(
      `rollback of ${env.name} to ${target?.version} failed: ${detail ?? 'the rollout failed'}`,
    );
  }
  return {
    environment: env.name,
    failedVersion: failed.version,
    restoredVersion: target?.version ?? null,
    ...outcome,
    ledgerSeq: seq,
  };
}

async function restoreTarget(input: RollbackInput, ports: RollbackPorts): Promise<ReleaseRef | undefined> {
  const pointer = await ports.artifacts.getPointer<EnvPointer>(
    envPointerKey(input.pipeline, input.environment),
  );
  if (pointer && pointer.version !== input.release.version) return releaseOf(pointer);
  if (pointer?.previous) return releaseOf(pointer.previous);
  if (pointer) return undefined;
  const previous = await ports.deployer.previous?.(input.pipeline, input.environment);
  return previous && previous.version !== input.release.version ? previous : undefined;
}

async function waitForRollout(deployer: Deployer, deploymentId: string, options: RollbackOptions) {
  const maxPolls = options.maxPolls ?? 120;
  for (let poll = 1; ; poll += 1) {
    const status = await deployer.poll(deploymentId);
    if (status.state !== 'IN_PROGRESS' || poll >= maxPolls) return status;
    await options.sleep(options.pollIntervalMs ?? 1_000);
  }
}
