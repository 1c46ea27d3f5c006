import { loadMigrationsFromTarball } from '../migrate-database/migration-files.js';
import type { EnvironmentContents } from '../register-release/release-contents.js';
import { releaseMetadataKey, releaseVersion, sequenceKey } from '../register-release/release-keys.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { type CurrentRelease, currentRelease } from '../shared/ledger/ledger-queries.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { ReleaseMetadata, ReleaseRef } from '../shared/release.js';

/**
 * What an approver sees: what would change compared with the release now in the environment, and
 * how the release fared in the previous environment. Anything Tollgate cannot know is said to be
 * unknown, with the reason, rather than guessed.
 */
export interface EvidenceSummary {
  readonly release: { readonly version: string; readonly commit: string; readonly digest: string };
  readonly current: CurrentRelease | null;
  readonly commits: {
    /** `releases`: the commits that became releases in between (a push of several commits shows its head only). */
    readonly known: 'releases' | 'unknown';
    readonly note: string;
    readonly items: ReadonlyArray<{
      readonly commit: string;
      readonly version?: string;
      readonly author?: string;
      readonly message?: string;
    }>;
    readonly parents: readonly string[];
  };
  readonly migrationsAdded: {
    readonly known: boolean;
    readonly names: readonly string[];
    readonly note?: string;
  };
  readonly previousEnvironment: {
    readonly name: string;
    readonly smokeTests: unknown;
    readonly dataChecks: unknown;
  } | null;
  /**
   * The backward-compatibility check of this release (migration-safety), where it ran: `warning`
   * says that a rollback would need a data restore (a migration marked database.breaking that the
   * previous release cannot run on). Null when no check ran for it.
   */
  readonly rollbackSafety: {
    readonly checkedIn: string;
    readonly result: string;
    readonly warning?: string;
    readonly reason?: string;
  } | null;
  /**
   * The commits this release adds over the one the environment runs (`git log prev..new`) and the
   * feature IDs they name, as register-release recorded them for this run; null when it did not.
   */
  readonly contents: EnvironmentContents | null;
  /** Set when the run is a `tollgate deploy` of an existing release: who asked, why, what it skipped. */
  readonly redeploy: {
    readonly requestedBy: string;
    readonly reason: string;
    readonly skipEarlier: boolean;
    /** Environments before this one the release never passed. */
    readonly notPassed: readonly string[];
  } | null;
}

export interface EvidenceInput {
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly parents: readonly string[];
  readonly previousEnvironment: EvidenceSummary['previousEnvironment'];
}

export interface EvidencePorts {
  readonly config: Pick<TollgateConfig, 'database'>;
  readonly ledger: Ledger;
  readonly artifacts: ArtifactStore;
}

/** Lists at most this many releases in between; an approver needs the gist, not a full log. */
const MAX_RELEASES = 50;
const SEQUENCE = /^r(\d+)-/;

export async function buildEvidence(input: EvidenceInput, ports: EvidencePorts): Promise<EvidenceSummary> {
  const entries = await ports.ledger.query({
    pipeline: input.pipeline,
    environment: input.environment,
    kinds: ['promotion', 'rollback', 'approval-decision'],
  });
  const current = currentRelease(entries, input.environment);
  return {
    release: { version: input.release.version, commit: input.release.commit, digest: input.release.digest },
    current,
    commits: { ...(await commitsBetween(input, current, ports.artifacts)), parents: [...input.parents] },
    migrationsAdded: await migrationsAdded(input, current, ports),
    previousEnvironment: await previousEvidence(input, ports.ledger),
    rollbackSafety: await rollbackSafety(input, ports.ledger),
    ...(await runContents(input, ports.ledger)),
  };
}

/**
 * The release-contents and redeploy entries of the run asking. Runs of a pipeline hold its lock one
 * at a time, so the newest contents entry of this release is this run's.
 */
async function runContents(
  input: EvidenceInput,
  ledger: Ledger,
): Promise<Pick<EvidenceSummary, 'contents' | 'redeploy'>> {
  const entries = await ledger.query({
    pipeline: input.pipeline,
    releaseVersion: input.release.version,
    kinds: ['release-contents', 'redeploy'],
  });
  const latest = entries.findLast((e) => e.kind === 'release-contents');
  const recorded = latest?.data.environments;
  const contents = Array.isArray(recorded)
    ? ((recorded as EnvironmentContents[]).find((c) => c.environment === input.environment) ?? null)
    : null;
  const asked = entries.findLast(
    (e) =>
      e.kind === 'redeploy' &&
      e.environment === input.environment &&
      latest !== undefined &&
      e.executionArn === latest.executionArn,
  );
  return {
    contents,
    redeploy: asked
      ? {
          requestedBy: asked.actor ?? 'unknown',
          reason: String(asked.data.reason ?? ''),
          skipEarlier: asked.data.skipEarlier === true,
          notPassed: Array.isArray(asked.data.notPassed) ? asked.data.notPassed.map(String) : [],
        }
      : null,
  };
}

async function rollbackSafety(
  input: EvidenceInput,
  ledger: Ledger,
): Promise<EvidenceSummary['rollbackSafety']> {
  const checks = await ledger.query({
    pipeline: input.pipeline,
    releaseVersion: input.release.version,
    kinds: ['compatibility-check'],
  });
  const last = checks.at(-1);
  if (!last?.environment) return null;
  const { result, warning, reason } = last.data as { result?: unknown; warning?: unknown; reason?: unknown };
  return {
    checkedIn: last.environment,
    result: String(result),
    ...(typeof warning === 'string' ? { warning } : {}),
    ...(typeof reason === 'string' ? { reason } : {}),
  };
}

/**
 * The pipeline names the previous environment but cannot hand over its evidence (each environment
 * runs in its own Map iteration); the promotion entry promote wrote for this release carries it.
 */
async function previousEvidence(
  input: EvidenceInput,
  ledger: Ledger,
): Promise<EvidenceSummary['previousEnvironment']> {
  const previous = input.previousEnvironment;
  if (!previous || (previous.smokeTests != null && previous.dataChecks != null)) return previous;
  const promotions = await ledger.query({
    pipeline: input.pipeline,
    environment: previous.name,
    releaseVersion: input.release.version,
    kinds: ['promotion'],
  });
  const evidence = (promotions.at(-1)?.data.evidence ?? {}) as { smokeTests?: unknown; dataChecks?: unknown };
  return {
    name: previous.name,
    smokeTests: previous.smokeTests ?? evidence.smokeTests ?? null,
    dataChecks: previous.dataChecks ?? evidence.dataChecks ?? null,
  };
}

async function commitsBetween(
  input: EvidenceInput,
  current: CurrentRelease | null,
  artifacts: ArtifactStore,
): Promise<Omit<EvidenceSummary['commits'], 'parents'>> {
  const own = { commit: input.release.commit, version: input.release.version };
  if (!current) {
    return { known: 'unknown', note: `nothing has been promoted to ${input.environment} yet`, items: [own] };
  }
  const from = Number(SEQUENCE.exec(current.version)?.[1]);
  const to = Number(SEQUENCE.exec(input.release.version)?.[1]);
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    return { known: 'unknown', note: 'release versions do not carry a sequence number', items: [own] };
  }
  if (to === from)
    return { known: 'releases', note: `${input.environment} already runs this release`, items: [] };
  if (to < from) {
    return {
      known: 'releases',
      note: `${input.release.version} is older than ${current.version}, which ${input.environment} runs now`,
      items: [own],
    };
  }
  const items: Array<EvidenceSummary['commits']['items'][number]> = [];
  const first = Math.max(from + 1, to - MAX_RELEASES + 1);
  for (let n = first; n <= to; n++) {
    const claim = await readJson<{ commit?: string }>(artifacts, sequenceKey(input.pipeline, n));
    if (!claim?.commit) continue; // a run that crashed after claiming the number: no release
    const version = releaseVersion(n, claim.commit);
    const meta = await readJson<ReleaseMetadata>(artifacts, releaseMetadataKey(input.pipeline, version));
    items.push({
      commit: claim.commit,
      version,
      ...(meta
        ? { author: `${meta.author.name} <${meta.author.email}>`, message: meta.message.split('\n')[0] }
        : {}),
    });
  }
  const skipped = first - (from + 1);
  return {
    known: 'releases',
    note: `releases after ${current.version}; commits pushed together with them are not listed one by one${skipped > 0 ? `; the ${skipped} oldest are left out` : ''}`,
    items,
  };
}

async function migrationsAdded(
  input: EvidenceInput,
  current: CurrentRelease | null,
  ports: EvidencePorts,
): Promise<EvidenceSummary['migrationsAdded']> {
  const dir = ports.config.database?.migrations;
  if (!dir) return { known: false, names: [], note: 'the pipeline has no database block' };
  let after: string[];
  try {
    after = await migrationNames(ports.artifacts, input.release.artifactKey, dir);
  } catch (error) {
    return {
      known: false,
      names: [],
      note: `could not read ${input.release.version}'s migrations: ${message(error)}`,
    };
  }
  const held = await migratedSinceRefresh(input, ports.ledger);
  if (!current) {
    const fresh = after.filter((name) => !held.includes(name));
    return {
      known: true,
      names: fresh,
      note: held.length
        ? `nothing promoted to ${input.environment} yet; its database already holds ${held.length} of them from an earlier run`
        : `nothing promoted to ${input.environment} yet: all are new to it`,
    };
  }
  const meta = await readJson<ReleaseMetadata>(
    ports.artifacts,
    releaseMetadataKey(input.pipeline, current.version),
  );
  if (!meta)
    return {
      known: false,
      names: [],
      note: `the metadata of ${current.version} is not in the artifact store`,
    };
  let before: string[];
  try {
    before = await migrationNames(ports.artifacts, meta.artifactKey, dir);
  } catch (error) {
    return {
      known: false,
      names: [],
      note: `could not read ${current.version}'s migrations: ${message(error)}`,
    };
  }
  const old = new Set([...before, ...held]);
  return { known: true, names: after.filter((name) => !old.has(name)) };
}

/**
 * Migrations the environment's database already holds although the release it runs does not have
 * them: a later release migrated it and then failed (migrations are forward-only; the deploy was
 * rolled back, the schema stays). A refresh replaces the database, so only records after the last
 * refresh count.
 */
async function migratedSinceRefresh(input: EvidenceInput, ledger: Ledger): Promise<string[]> {
  const entries = await ledger.query({
    pipeline: input.pipeline,
    environment: input.environment,
    kinds: ['data-refresh', 'migrations-applied'],
  });
  const lastRefresh = entries.findLastIndex((e) => e.kind === 'data-refresh');
  const record = entries.slice(lastRefresh + 1).findLast((e) => e.kind === 'migrations-applied');
  const present = record?.data.present;
  return Array.isArray(present) ? present.filter((n): n is string => typeof n === 'string') : [];
}

async function migrationNames(artifacts: ArtifactStore, key: string, dir: string): Promise<string[]> {
  const migrations = await loadMigrationsFromTarball(await artifacts.open(key), dir);
  return migrations.map((m) => m.name);
}

async function readJson<T>(artifacts: ArtifactStore, key: string): Promise<T | undefined> {
  const text = await artifacts.getText(key);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
