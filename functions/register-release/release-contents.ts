import type { TollgateConfig } from '../shared/config/schema.js';
import { currentRelease } from '../shared/ledger/ledger-queries.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { SourceRepository } from '../shared/ports/source-repository.js';
import type { ReleaseMetadata } from '../shared/release.js';
import { type CommitSummary, type FeatureRef, featureIds } from '../shared/release-contents/feature-ids.js';
import { releaseMetadataKey } from './release-keys.js';

/** An approver needs the gist; a first release over a long history lists its newest commits only. */
const MAX_LISTED_COMMITS = 200;

/** What a release adds over the release one environment runs now. */
export interface EnvironmentContents {
  readonly environment: string;
  /** The release the environment runs now; null when nothing was promoted there yet. */
  readonly since: string | null;
  readonly listed: boolean;
  readonly commits: readonly CommitSummary[];
  readonly truncated: boolean;
  readonly features: readonly FeatureRef[];
  /** Why the commits are not listed. */
  readonly detail?: string;
}

export interface ContentsPorts {
  readonly config: Pick<TollgateConfig, 'environments' | 'features'>;
  readonly ledger: Ledger;
  readonly artifacts: ArtifactStore;
  readonly source: Pick<SourceRepository, 'commitsBetween'>;
}

/**
 * Records, once per run, the commits the run's release adds over the release now in each
 * environment (`git log prev..new`) and the feature IDs they name: the approval evidence, the
 * release view, `tollgate show` and `tollgate where` read this `release-contents` entry. A source
 * that cannot list commits is recorded as such, with its reason, not left out.
 */
export async function recordReleaseContents(
  run: {
    readonly executionArn: string;
    readonly stateName: string;
    readonly at: string;
    /** The stored effective config of the run (run-config.ts). */
    readonly configDigest: string;
  },
  release: ReleaseMetadata,
  environments: readonly string[],
  ports: ContentsPorts,
): Promise<void> {
  const entries = await ports.ledger.query({ pipeline: release.pipeline });
  const byBase = new Map<string | null, Promise<Omit<EnvironmentContents, 'environment' | 'since'>>>();
  const contents: EnvironmentContents[] = [];
  for (const environment of environments) {
    const since = currentRelease(entries, environment)?.version ?? null;
    if (!byBase.has(since)) byBase.set(since, listOver(since, release, ports));
    contents.push({ environment, since, ...(await byBase.get(since)!) });
  }
  await ports.ledger.append({
    kind: 'release-contents',
    pipeline: release.pipeline,
    at: run.at,
    executionArn: run.executionArn,
    releaseVersion: release.version,
    actor: 'tollgate',
    data: { commit: release.commit, environments: contents, config: run.configDigest },
    idempotencyKey: `${run.executionArn}#${run.stateName}#contents`,
  });
}

async function listOver(
  since: string | null,
  release: ReleaseMetadata,
  ports: ContentsPorts,
): Promise<Omit<EnvironmentContents, 'environment' | 'since'>> {
  const none = { commits: [], truncated: false, features: [] };
  if (since === release.version) return { listed: true, ...none };
  let from: string | null = null;
  if (since !== null) {
    const text = await ports.artifacts.getText(releaseMetadataKey(release.pipeline, since));
    if (text === undefined)
      return { listed: false, ...none, detail: `the metadata of ${since} is not in the artifact store` };
    from = (JSON.parse(text) as ReleaseMetadata).commit;
  }
  try {
    const range = await ports.source.commitsBetween({
      repository: release.repository,
      from,
      to: release.commit,
      limit: MAX_LISTED_COMMITS,
    });
    if (!range.listed) return { listed: false, ...none, detail: range.detail };
    return {
      listed: true,
      commits: range.commits,
      truncated: range.truncated,
      features: featureIds(range.commits, ports.config.features),
    };
  } catch (error) {
    // The contents inform the approver; a source that fails to answer must not fail the release.
    return {
      listed: false,
      ...none,
      detail: `the source could not list the commits: ${(error as Error).message}`,
    };
  }
}
