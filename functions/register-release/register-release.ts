import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { ImmutableConflictError, InvalidInputError, TollgateError } from '../shared/errors.js';
import type { ArtifactStore, IngestResult } from '../shared/ports/artifact-store.js';
import type { ImageRegistry } from '../shared/ports/image-registry.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { SourceRepository } from '../shared/ports/source-repository.js';
import { redeployReach } from '../shared/redeploy-reach.js';
import { type ReleaseMetadata, type ReleaseRef, toReleaseRef } from '../shared/release.js';
import type { RegisterReleaseInput } from './input.js';
import { checkRedeploy } from './redeploy-check.js';
import { recordReleaseContents } from './release-contents.js';
import {
  releaseByCommitKey,
  releaseMetadataKey,
  releaseTag,
  releaseVersion,
  runRecordKey,
} from './release-keys.js';
import { claimSequence } from './release-sequence.js';
import { storeRunConfig } from './run-config.js';

export interface RegisterReleaseDeps {
  readonly artifacts: ArtifactStore;
  readonly images: ImageRegistry;
  readonly ledger: Ledger;
  readonly clock: Clock;
  readonly config: TollgateConfig;
  readonly source: Pick<SourceRepository, 'commitsBetween'>;
}

export type RegisterReleaseOutput = ReleaseRef & {
  readonly sequence: number;
  /** Set when this run's commit already had a release: the run carries that one, not a new one. */
  readonly reused?: { readonly fromExecutionArn: string; readonly registeredAt: string };
  /** Set when the run deploys an existing release again (`tollgate deploy`). */
  readonly redeploy?: {
    readonly environment: string;
    readonly requestedBy: string;
    readonly reason: string;
    readonly notPassed: readonly string[];
  };
};

/** Written once per (execution, state) before the release record, so a retry resumes instead of forking. */
interface RunRecord {
  readonly version: string;
  readonly sequence: number;
  readonly registeredAt: string;
  readonly inputFingerprint: string;
  /** This run adopted the commit's existing release (see reuse below). */
  readonly reused?: boolean;
}

/**
 * register-release: stores the build's artifact once (content-addressed), gives it the pipeline's
 * next version, writes the immutable release record, tags the image and appends the ledger entry.
 *
 * Every step is idempotent on executionArn + stateName, so a re-invocation after a crash at any
 * point finishes the same release: same version, no second tag, no second ledger entry.
 *
 * A commit gets one release: a later run of the same commit (pushed again, or re-run after a
 * failure) adopts the first release instead of storing the new build as another version, and says
 * so in its output (`reused`). The `release` ledger entry stays the first run's.
 */
export async function registerRelease(
  input: RegisterReleaseInput,
  deps: RegisterReleaseDeps,
): Promise<RegisterReleaseOutput> {
  if (input.commit.redeploy) return redeploy(input, input.commit.redeploy, deps);
  const { build } = input;
  if (!build)
    throw new InvalidInputError('build is missing: only a run that deploys an existing release has none');
  const output = await registerBuild({ ...input, build }, deps);
  await recordContents(
    input,
    output.version,
    deps.config.environments.map((e) => e.name),
    deps,
  );
  return output;
}

/** A run that built its commit: the build's output is there. */
type BuiltInput = RegisterReleaseInput & { readonly build: NonNullable<RegisterReleaseInput['build']> };

type Redeploy = NonNullable<RegisterReleaseInput['commit']['redeploy']>;

/**
 * A run of `tollgate deploy`: nothing was built; the release is the stored one. The CLI checked the
 * request before starting the run; it is checked again here, where the ledger may have moved on.
 */
async function redeploy(
  input: RegisterReleaseInput,
  request: Redeploy,
  deps: RegisterReleaseDeps,
): Promise<RegisterReleaseOutput> {
  if (input.pipeline !== deps.config.name)
    throw new InvalidInputError(
      `pipeline "${input.pipeline}" does not match the configured name "${deps.config.name}"`,
    );
  const verdict = await checkRedeploy(request, deps);
  if (!verdict.allowed) throw new InvalidInputError(verdict.reason);
  const { release, notPassed } = verdict;
  if (release.commit !== input.commit.commit)
    throw new InvalidInputError(
      `release ${release.version} is commit ${release.commit.slice(0, 7)}, not ${input.commit.commit.slice(0, 7)} as the run says`,
    );
  await deps.ledger.append({
    kind: 'redeploy',
    pipeline: input.pipeline,
    at: deps.clock.now().toISOString(),
    executionArn: input.executionArn,
    environment: request.environment,
    releaseVersion: release.version,
    actor: request.requestedBy,
    data: {
      reason: request.reason,
      skipEarlier: request.skipEarlier,
      notPassed,
      commit: release.commit,
      ...(request.retryOf ? { retryOf: request.retryOf } : {}),
    },
    idempotencyKey: `${input.executionArn}#${input.stateName}`,
  });
  // Each environment the run reaches (a retry goes on past its own) gets its contents.
  const reached = redeployReach(
    deps.config.environments.map((e) => e.name),
    request,
  );
  await recordContents(input, release.version, reached, deps);
  return {
    ...toReleaseRef(release),
    sequence: release.sequence,
    redeploy: {
      environment: request.environment,
      requestedBy: request.requestedBy,
      reason: request.reason,
      notPassed,
    },
  };
}

async function recordContents(
  input: RegisterReleaseInput,
  version: string,
  environments: readonly string[],
  deps: RegisterReleaseDeps,
): Promise<void> {
  const metadata = await readJson<ReleaseMetadata>(
    deps.artifacts,
    releaseMetadataKey(input.pipeline, version),
  );
  if (!metadata) throw new TollgateError(`release ${version} is missing; the release store is damaged`);
  await recordReleaseContents(
    {
      executionArn: input.executionArn,
      stateName: input.stateName,
      at: deps.clock.now().toISOString(),
      // Every run (build, reuse, redeploy) passes here: the config it ran with, for `tollgate diff`.
      configDigest: await storeRunConfig(deps.config, deps.artifacts),
    },
    metadata,
    environments,
    deps,
  );
}

async function registerBuild(input: BuiltInput, deps: RegisterReleaseDeps): Promise<RegisterReleaseOutput> {
  checkAgainstConfig(input, deps.config);
  const { artifacts } = deps;
  const fingerprint = inputFingerprint(input);
  const runKey = runRecordKey(input.pipeline, input.executionArn, input.stateName);

  let ingested: IngestResult | undefined;
  const ingest = async () => {
    ingested ??= await artifacts.ingest(await artifacts.open(input.build.artifactKey));
    return ingested;
  };

  let run = await readJson<RunRecord>(artifacts, runKey);
  if (!run) {
    const existing = await existingRelease(artifacts, input.pipeline, input.commit.commit);
    if (existing) {
      run = await writeRunRecord(artifacts, runKey, {
        version: existing.version,
        sequence: existing.sequence,
        registeredAt: deps.clock.now().toISOString(),
        inputFingerprint: fingerprint,
        reused: true,
      });
    }
  }
  if (run?.reused) return reuse(input, run, fingerprint, deps);
  if (!run) {
    await ingest(); // before claiming a number: a missing artifact must not burn a version
    const sequence = await claimSequence(artifacts, input.pipeline, {
      executionArn: input.executionArn,
      stateName: input.stateName,
      commit: input.commit.commit,
    });
    run = await writeRunRecord(artifacts, runKey, {
      version: releaseVersion(sequence, input.commit.commit),
      sequence,
      registeredAt: deps.clock.now().toISOString(),
      inputFingerprint: fingerprint,
    });
  }
  if (run.inputFingerprint !== fingerprint)
    throw new InvalidInputError(
      `${input.executionArn} state ${input.stateName} already registered ${run.version} from different input; a retry must resend the same input`,
    );

  const metadataKey = releaseMetadataKey(input.pipeline, run.version);
  let metadata = await readJson<ReleaseMetadata>(artifacts, metadataKey);
  if (!metadata) {
    metadata = describeRelease(input, run, await ingest());
    await artifacts.putImmutable(metadataKey, `${JSON.stringify(metadata, null, 2)}\n`, 'application/json');
  }
  // After the metadata, so the pointer never names a release that is not there; first one wins.
  await pointCommitAt(artifacts, metadata);

  if (metadata.imageDigest) await deps.images.tag(metadata.imageDigest, releaseTag(metadata.version));
  await deps.ledger.append({
    kind: 'release',
    pipeline: input.pipeline,
    at: run.registeredAt,
    executionArn: input.executionArn,
    releaseVersion: metadata.version,
    actor: 'tollgate',
    data: {
      digest: metadata.digest,
      size: metadata.size,
      artifactKey: metadata.artifactKey,
      commit: metadata.commit,
      branch: metadata.branch,
      author: metadata.author,
      // Lead time (commit to production, `tollgate stats`) starts here.
      commitTime: metadata.commitTime,
      builtAt: metadata.buildTime,
      ...(metadata.imageDigest ? { imageDigest: metadata.imageDigest } : {}),
    },
    idempotencyKey: `${input.executionArn}#${input.stateName}`,
  });
  return { ...toReleaseRef(metadata), sequence: metadata.sequence };
}

async function existingRelease(
  artifacts: ArtifactStore,
  pipeline: string,
  commit: string,
): Promise<ReleaseMetadata | undefined> {
  const pointer = await readJson<{ version: string }>(artifacts, releaseByCommitKey(pipeline, commit));
  if (!pointer) return undefined;
  const metadata = await readJson<ReleaseMetadata>(artifacts, releaseMetadataKey(pipeline, pointer.version));
  if (!metadata)
    throw new TollgateError(
      `commit ${commit.slice(0, 7)} points at release ${pointer.version}, which is missing`,
    );
  return metadata;
}

async function pointCommitAt(artifacts: ArtifactStore, metadata: ReleaseMetadata): Promise<void> {
  const key = releaseByCommitKey(metadata.pipeline, metadata.commit);
  try {
    await artifacts.putImmutable(key, JSON.stringify({ version: metadata.version }), 'application/json');
  } catch (error) {
    // Another run of this commit registered first (two runs raced): its release is the commit's.
    if (!(error instanceof ImmutableConflictError)) throw error;
  }
}

async function reuse(
  input: BuiltInput,
  run: RunRecord,
  fingerprint: string,
  deps: RegisterReleaseDeps,
): Promise<RegisterReleaseOutput> {
  if (run.inputFingerprint !== fingerprint)
    throw new InvalidInputError(
      `${input.executionArn} state ${input.stateName} already registered ${run.version} from different input; a retry must resend the same input`,
    );
  const metadata = await readJson<ReleaseMetadata>(
    deps.artifacts,
    releaseMetadataKey(input.pipeline, run.version),
  );
  if (!metadata) throw new TollgateError(`release ${run.version} is missing; the release store is damaged`);
  return {
    ...toReleaseRef(metadata),
    sequence: metadata.sequence,
    reused: { fromExecutionArn: metadata.executionArn, registeredAt: metadata.registeredAt },
  };
}

function checkAgainstConfig(input: BuiltInput, config: TollgateConfig): void {
  if (input.pipeline !== config.name)
    throw new InvalidInputError(
      `pipeline "${input.pipeline}" does not match the configured name "${config.name}"`,
    );
  const imageDigest = input.build.imageDigest ?? undefined;
  if (config.build.image && !imageDigest)
    throw new InvalidInputError(
      'build.image is configured, but the build reported no build.imageDigest to tag',
    );
  if (!config.build.image && imageDigest)
    throw new InvalidInputError(
      'the build reported build.imageDigest, but build.image is not configured for this pipeline',
    );
}

function describeRelease(input: BuiltInput, run: RunRecord, artifact: IngestResult): ReleaseMetadata {
  const imageDigest = input.build.imageDigest ?? undefined;
  return {
    pipeline: input.pipeline,
    version: run.version,
    sequence: run.sequence,
    commit: input.commit.commit,
    branch: input.commit.branch,
    repository: input.commit.repository,
    author: { name: input.commit.author.name, email: input.commit.author.email },
    message: input.commit.message,
    commitTime: input.commit.timestamp,
    buildTime: input.build.builtAt ?? run.registeredAt,
    digest: artifact.digest,
    size: artifact.size,
    artifactKey: artifact.key,
    ...(imageDigest ? { imageDigest } : {}),
    executionArn: input.executionArn,
    registeredAt: run.registeredAt,
  };
}

/** Two twin invocations may race here; the loser adopts the winner's record. */
async function writeRunRecord(artifacts: ArtifactStore, key: string, record: RunRecord): Promise<RunRecord> {
  try {
    await artifacts.putImmutable(key, JSON.stringify(record), 'application/json');
    return record;
  } catch (error) {
    if (!(error instanceof ImmutableConflictError)) throw error;
    const winner = await readJson<RunRecord>(artifacts, key);
    if (!winner) throw error;
    return winner;
  }
}

async function readJson<T>(artifacts: ArtifactStore, key: string): Promise<T | undefined> {
  const text = await artifacts.getText(key);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new TollgateError(`${key} is not valid JSON; the release store is damaged`, { cause });
  }
}

/** The parts of the input that define the release; a retry must send the same ones. */
function inputFingerprint(input: BuiltInput): string {
  const c = input.commit;
  const canonical = JSON.stringify([
    input.pipeline,
    c.repository,
    c.branch,
    c.commit,
    c.author.name,
    c.author.email,
    c.message,
    c.timestamp,
    input.build.artifactKey,
    input.build.imageDigest ?? null,
    input.build.builtAt ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
