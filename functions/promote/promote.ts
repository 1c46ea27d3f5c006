import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { DeployFailedError } from '../shared/errors.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Deployer } from '../shared/ports/deployer.js';
import type { ImageRegistry } from '../shared/ports/image-registry.js';
import type { Ledger } from '../shared/ports/ledger.js';
import { type EnvPointer, envPointerKey } from './env-pointer.js';
import type { PromoteInput } from './input.js';

export interface PromoteOutput {
  readonly environment: string;
  readonly version: string;
  readonly digest: string;
  readonly since: string;
  readonly previous: string | null;
  readonly imageTag: string | null;
  readonly ledgerSeq: number;
}

export interface PromotePorts {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly artifacts: ArtifactStore;
  readonly images: ImageRegistry;
  readonly deployer: Deployer;
  readonly ledger: Ledger;
}

/**
 * promote: the environment now officially runs the release. Moves the ECR `env-<name>` tag (only
 * when the release has an image), rewrites the env pointer and appends a `promotion` ledger entry.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release: ReleaseRef, evidence?: object }
 * Output: { environment, version, digest, since, previous: string | null, imageTag: string | null, ledgerSeq }
 *
 * Refuses (Tollgate.DeployFailed) when the environment does not serve the release: a pointer must
 * never claim something that is not running. Idempotent on executionArn + stateName: a re-invocation
 * neither rewrites the pointer (so `previous` is not lost) nor appends a second entry.
 */
export async function promote(input: PromoteInput, ports: PromotePorts): Promise<PromoteOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const { release } = input;
  const serving = await ports.deployer.current(input.pipeline, env.name);
  if (serving !== release.version) {
    throw new DeployFailedError(
      `cannot promote ${release.version} in ${env.name}: the environment serves ${serving ?? 'nothing'}`,
    );
  }
  const key = envPointerKey(input.pipeline, env.name);
  const existing = await ports.artifacts.getPointer<EnvPointer>(key);
  const repeat =
    existing?.executionArn === input.executionArn &&
    existing.stateName === input.stateName &&
    existing.version === release.version;
  let pointer: EnvPointer;
  if (repeat && existing) {
    pointer = existing;
  } else {
    const before = existing && existing.version === release.version ? existing.previous : existing;
    const previous = before ? withoutPrevious(before) : null;
    pointer = {
      ...release,
      pipeline: input.pipeline,
      environment: env.name,
      since: ports.clock.now().toISOString(),
      executionArn: input.executionArn,
      stateName: input.stateName,
      previous,
    };
  }
  const imageTag = release.imageDigest ? `env-${env.name}` : null;
  // Tag before the pointer: a crash in between leaves the pointer on the old release, and the retry
  // re-applies the (movable) tag harmlessly.
  if (release.imageDigest && imageTag) await ports.images.tag(release.imageDigest, imageTag);
  if (!repeat) await ports.artifacts.putPointer(key, pointer);
  const { seq } = await ports.ledger.append({
    kind: 'promotion',
    pipeline: input.pipeline,
    at: pointer.since,
    executionArn: input.executionArn,
    environment: env.name,
    releaseVersion: release.version,
    actor: 'tollgate',
    data: {
      digest: release.digest,
      commit: release.commit,
      ...(release.imageDigest ? { imageDigest: release.imageDigest, imageTag } : {}),
      previousVersion: pointer.previous?.version ?? null,
      ...(input.evidence ? { evidence: input.evidence } : {}),
    },
    idempotencyKey: idempotencyKey(input),
  });
  return {
    environment: env.name,
    version: release.version,
    digest: release.digest,
    since: pointer.since,
    previous: pointer.previous?.version ?? null,
    imageTag,
    ledgerSeq: seq,
  };
}

function withoutPrevious(pointer: EnvPointer | Omit<EnvPointer, 'previous'>): Omit<EnvPointer, 'previous'> {
  const { previous: _dropped, ...rest } = pointer as EnvPointer;
  return rest;
}
