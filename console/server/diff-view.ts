import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { ArtifactStore } from '../../functions/shared/ports/artifact-store.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import type { SourceRepository } from '../../functions/shared/ports/source-repository.js';
import type { ReleaseMetadata } from '../../functions/shared/release.js';
import type { CommitSummary } from '../../functions/shared/release-contents/feature-ids.js';
import { type ConfigDiff, configDiff } from './diff-config.js';
import { type MigrationDiff, migrationDiff } from './diff-migrations.js';
import { type DiffSide, resolveSides } from './diff-sides.js';
import { redact } from './redact.js';

/** What a diff reads; the console's route and `tollgate diff` pass the same adapters they use elsewhere. */
export interface DiffPorts {
  readonly config: Pick<TollgateConfig, 'name' | 'environments' | 'database'>;
  readonly entries: () => Promise<readonly StoredLedgerEntry[]>;
  readonly artifacts: Pick<ArtifactStore, 'getText' | 'open'>;
  readonly source: Pick<SourceRepository, 'commitsBetween'>;
}

interface SideView {
  readonly asked: string;
  readonly environment: string | null;
  readonly version: string;
  readonly commit: string;
  readonly message: string;
  readonly registeredAt: string;
  /** The artifact's digest and size, and the image's when the build made one. */
  readonly digest: string;
  readonly size: number;
  readonly imageDigest: string | null;
}

type CommitsDiff =
  | {
      readonly listed: true;
      /** Commits b has that a has not (`git log a..b`), newest first. */
      readonly added: readonly CommitSummary[];
      /** Commits a has that b has not: what moving to b takes away. */
      readonly removed: readonly CommitSummary[];
      readonly truncated: boolean;
    }
  | { readonly listed: false; readonly detail: string };

export interface ReleaseDiff {
  readonly a: SideView;
  readonly b: SideView;
  readonly sameRelease: boolean;
  readonly commits: CommitsDiff;
  readonly migrations: MigrationDiff;
  readonly config: ConfigDiff;
}

/** As many as the approval evidence lists for a release (release-contents.ts). */
const MAX_LISTED_COMMITS = 200;

/**
 * The difference between two releases or environments, from a to b: the commits between them
 * (the SourceRepository's `git log`), the migrations b adds (from each release's artifact), the
 * config each ran with and the artifact digests. Unknown names and a side named twice are refused
 * in one line before anything is read beyond the ledger.
 */
export async function releaseDiff(a: string, b: string, ports: DiffPorts): Promise<ReleaseDiff> {
  const entries = await ports.entries();
  const pipeline = ports.config.name;
  const [left, right] = await resolveSides(a, b, {
    pipeline,
    environments: ports.config.environments.map((e) => e.name),
    entries,
    artifacts: ports.artifacts,
  });
  const [commits, migrations, config] = await Promise.all([
    commitsDiff(left.release, right.release, ports.source),
    migrationDiff(left.release, right.release, ports.config.database?.migrations, ports.artifacts),
    configDiff(
      { a: left.configRun, b: right.configRun },
      { a: labelOf(left), b: labelOf(right) },
      { pipeline, entries, artifacts: ports.artifacts },
    ),
  ]);
  return redact({
    a: sideView(left),
    b: sideView(right),
    sameRelease: left.release.version === right.release.version,
    commits,
    migrations,
    config,
  });
}

function labelOf(side: DiffSide): string {
  return side.environment ? `${side.environment} (${side.release.version})` : side.release.version;
}

function sideView({ asked, environment, release: r }: DiffSide): SideView {
  return {
    asked,
    environment,
    version: r.version,
    commit: r.commit,
    message: r.message,
    registeredAt: r.registeredAt,
    digest: r.digest,
    size: r.size,
    imageDigest: r.imageDigest ?? null,
  };
}

async function commitsDiff(
  a: ReleaseMetadata,
  b: ReleaseMetadata,
  source: DiffPorts['source'],
): Promise<CommitsDiff> {
  if (a.commit === b.commit) return { listed: true, added: [], removed: [], truncated: false };
  const range = (from: ReleaseMetadata, to: ReleaseMetadata) =>
    source.commitsBetween({
      repository: to.repository,
      from: from.commit,
      to: to.commit,
      limit: MAX_LISTED_COMMITS,
    });
  try {
    const [added, removed] = await Promise.all([range(a, b), range(b, a)]);
    if (!added.listed) return { listed: false, detail: added.detail };
    if (!removed.listed) return { listed: false, detail: removed.detail };
    return {
      listed: true,
      added: added.commits,
      removed: removed.commits,
      truncated: added.truncated || removed.truncated,
    };
  } catch (error) {
    return { listed: false, detail: `the source could not list the commits: ${(error as Error).message}` };
  }
}
