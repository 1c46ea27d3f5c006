import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import { type EnvPointer, envPointerKey, releaseOf } from '../promote/env-pointer.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { DeployFailedError } from '../shared/errors.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Deployer, DeploymentStatus, RevertRequest } from '../shared/ports/deployer.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { ReleaseRef } from '../shared/release.js';

/**
 * rollback: puts the environment back on what it ran before the failed release, in two steps
 * around the state machine's Wait → poll-deployment loop, the same loop a deploy uses, so no Lambda
 * ever blocks on a rollout (an ECS rollback with load-balancer draining takes minutes).
 *
 * `start` (input `{ ..., release: the failed ReleaseRef, reason }`) decides and starts:
 *   { environment, failedVersion, restoredVersion: string | null, restored: string | null,
 *     action: 'redeployed' | 'reverted' | 'already-serving' | 'stopped' | 'nothing-running',
 *     deploymentId? }
 * `finish` (input adds `started`: start's output, `rollout`: the last poll or null) records the
 * `rollback` ledger entry (failed version, restored version, reason, outcome) and returns it with
 * `state` and `ledgerSeq`; it throws Tollgate.DeployFailed (after recording) when the rollout failed.
 *
 * What to restore: the env pointer's release (the last promoted one) unless that is the failed
 * release itself, then the pointer's `previous`; with no pointer, the deployer's own record of the
 * release that served before. With no release to return to, a deployer that can (ECS) reverts to
 * whatever ran before the failed rollout, which for Tollgate's first release onto an existing
 * service is the service's own task definition; only a deployer that cannot revert (the local
 * process) stops the failed release. A local deploy that failed its health check never swapped,
 * so the old release is usually still serving ('already-serving').
 */
export interface RollbackInput {
  readonly executionArn: string;
  readonly stateName: string;
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly reason: { readonly error: string; readonly cause?: string | null } & Record<string, unknown>;
}

type RollbackAction = 'redeployed' | 'reverted' | 'already-serving' | 'stopped' | 'nothing-running';

export interface RollbackStart {
  readonly environment: string;
  readonly failedVersion: string;
  /** The Tollgate release put back, or null (a revert to a non-Tollgate task definition, a stop). */
  readonly restoredVersion: string | null;
  /** What a revert put back (an ECS task definition ARN), or null. */
  readonly restored: string | null;
  readonly action: RollbackAction;
  /** Set when a rollout was started: the state machine polls it. */
  readonly deploymentId?: string;
}

export interface FinishRollbackInput extends RollbackInput {
  readonly started: RollbackStart;
  /** The last poll of `started.deploymentId`; null when nothing was rolled out. */
  readonly rollout?: DeploymentStatus | null;
}

export interface RollbackOutput extends RollbackStart {
  readonly state?: DeploymentStatus['state'];
  readonly ledgerSeq: number;
}

/** Optional Deployer capabilities rollback uses when an adapter offers them. */
export interface RollbackCapableDeployer extends Deployer {
  previous?(pipeline: string, environment: string): Promise<ReleaseRef | undefined>;
  /** Never offered by a deployer that can revert: ECS never scales a service to zero. */
  stop?(pipeline: string, environment: string): Promise<string | undefined>;
  /**
   * Points the environment back at what ran before the failed release's rollout; undefined when
   * the failed release never reached it.
   */
  revert?(request: RevertRequest): Promise<{ deploymentId: string; restored: string } | undefined>;
}

export interface RollbackPorts {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly artifacts: ArtifactStore;
  readonly deployer: RollbackCapableDeployer;
  readonly ledger: Ledger;
}

export async function startRollback(
  input: RollbackInput,
  ports: Omit<RollbackPorts, 'ledger' | 'clock'>,
): Promise<RollbackStart> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const failed = input.release;
  const base = { environment: env.name, failedVersion: failed.version, restored: null };
  const target = await restoreTarget(input, ports);
  const serving = await ports.deployer.current(input.pipeline, env.name);
  const key = idempotencyKey(input);
  if (target && serving === target.version)
    return { ...base, restoredVersion: target.version, action: 'already-serving' };
  if (target) {
    const { deploymentId } = await ports.deployer.start({
      pipeline: input.pipeline,
      environment: env.name,
      release: target,
      idempotencyKey: key,
    });
    return { ...base, restoredVersion: target.version, action: 'redeployed', deploymentId };
  }
  if (ports.deployer.revert) {
    const reverted = await ports.deployer.revert({
      pipeline: input.pipeline,
      environment: env.name,
      failedVersion: failed.version,
      idempotencyKey: key,
    });
    if (reverted) {
      const { deploymentId, restored } = reverted;
      return { ...base, restoredVersion: null, restored, action: 'reverted', deploymentId };
    }
  } else if (serving === failed.version && ports.deployer.stop) {
    await ports.deployer.stop(input.pipeline, env.name);
    return { ...base, restoredVersion: null, action: 'stopped' };
  }
  return { ...base, restoredVersion: null, action: 'nothing-running' };
}

export async function finishRollback(
  input: FinishRollbackInput,
  ports: Pick<RollbackPorts, 'config' | 'clock' | 'ledger' | 'artifacts'>,
): Promise<RollbackOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const { started } = input;
  const rollout = started.deploymentId ? input.rollout : undefined;
  const state = rollout ? rollout.state : started.deploymentId ? 'IN_PROGRESS' : undefined;
  const detail =
    state === 'IN_PROGRESS' ? 'the rollback rollout had not finished when polling stopped' : rollout?.reason;
  const { seq } = await ports.ledger.append({
    kind: 'rollback',
    pipeline: input.pipeline,
    at: ports.clock.now().toISOString(),
    executionArn: input.executionArn,
    environment: env.name,
    releaseVersion: input.release.version,
    actor: 'tollgate',
    data: {
      failedVersion: input.release.version,
      restoredVersion: started.restoredVersion,
      ...(started.restored ? { restored: started.restored } : {}),
      reason: input.reason,
      action: started.action,
      ...(started.deploymentId ? { deploymentId: started.deploymentId, state } : {}),
      ...(detail ? { rolloutReason: detail } : {}),
    },
    idempotencyKey: idempotencyKey(input),
  });
  if (state === 'FAILED') {
    const to = started.restoredVersion ?? started.restored;
    throw new DeployFailedError(`rollback of ${env.name} to ${to} failed: ${detail ?? 'the rollout failed'}`);
  }
  await unpromote(input, ports.artifacts);
  return { ...started, ...(state ? { state } : {}), ledgerSeq: seq };
}

/**
 * A failure after promote (a test stage after promote, the verify window) leaves the env pointer
 * naming the failed release, which the rollback just replaced with the pointer's `previous`: put
 * that back as the pointer, so `tollgate envs` and the next rollback read what runs. Only then: a
 * failure before promote never moved the pointer.
 */
async function unpromote(input: FinishRollbackInput, artifacts: ArtifactStore): Promise<void> {
  const key = envPointerKey(input.pipeline, input.environment);
  const pointer = await artifacts.getPointer<EnvPointer>(key);
  const restored = input.started.restoredVersion;
  if (pointer?.version !== input.release.version || pointer.previous?.version !== restored) return;
  await artifacts.putPointer(key, { ...pointer.previous, previous: null });
}

async function restoreTarget(
  input: RollbackInput,
  ports: Pick<RollbackPorts, 'artifacts' | 'deployer'>,
): Promise<ReleaseRef | undefined> {
  const pointer = await ports.artifacts.getPointer<EnvPointer>(
    envPointerKey(input.pipeline, input.environment),
  );
  if (pointer && pointer.version !== input.release.version) return releaseOf(pointer);
  if (pointer?.previous) return releaseOf(pointer.previous);
  if (pointer) return undefined;
  const previous = await ports.deployer.previous?.(input.pipeline, input.environment);
  return previous && previous.version !== input.release.version ? previous : undefined;
}
