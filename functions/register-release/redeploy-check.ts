import { loadMigrationsFromTarball } from '../migrate-database/migration-files.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Ledger, StoredLedgerEntry } from '../shared/ports/ledger.js';
import type { ReleaseMetadata } from '../shared/release.js';
import { releaseMetadataKey } from './release-keys.js';

export interface RedeployRequest {
  readonly release: string;
  readonly environment: string;
  readonly skipEarlier: boolean;
}

export type RedeployVerdict =
  | {
      readonly allowed: true;
      readonly release: ReleaseMetadata;
      /** Environments before the target the release was never promoted to (allowed by --skip-earlier). */
      readonly notPassed: readonly string[];
    }
  | { readonly allowed: false; readonly reason: string };

export interface RedeployPorts {
  readonly config: Pick<TollgateConfig, 'name' | 'environments' | 'database'>;
  readonly ledger: Pick<Ledger, 'query'>;
  readonly artifacts: ArtifactStore;
}

/**
 * Whether an existing release may be deployed again into an environment (`tollgate deploy`). The
 * CLI asks before it starts a run, so a refusal changes nothing; register-release asks again in the
 * run, where the ledger may have moved on since. Down-migrations are never guessed: a release
 * missing migrations the environment's schema already has is refused.
 */
export async function checkRedeploy(
  request: RedeployRequest,
  ports: RedeployPorts,
): Promise<RedeployVerdict> {
  const { config } = ports;
  const index = config.environments.findIndex((e) => e.name === request.environment);
  if (index < 0)
    return refuse(
      `unknown environment "${request.environment}"; this pipeline's environments are ${config.environments.map((e) => e.name).join(', ')}`,
    );
  const release = await readRelease(ports.artifacts, config.name, request.release);
  if (!release)
    return refuse(`unknown release "${request.release}"; list the releases with \`npx tollgate releases\``);
  const entries = await ports.ledger.query({ pipeline: config.name });
  const notPassed = config.environments
    .slice(0, index)
    .map((e) => e.name)
    .filter((name) => !promotedTo(entries, release.version, name));
  if (notPassed.length > 0 && !request.skipEarlier)
    return refuse(
      `release ${release.version} never passed ${notPassed.join(', ')} (before ${request.environment}); add --skip-earlier to deploy it anyway, which the approval evidence records`,
    );
  const missing = await migrationsMissing(release, index, entries, ports);
  if (missing.length > 0)
    return refuse(
      `release ${release.version} lacks migrations ${schemaOwner(index, config)}'s database already has (${missing.join(', ')}); Tollgate does not guess down-migrations: deploy a release that has them`,
    );
  return { allowed: true, release, notPassed };
}

function refuse(reason: string): RedeployVerdict {
  return { allowed: false, reason };
}

async function readRelease(
  artifacts: ArtifactStore,
  pipeline: string,
  version: string,
): Promise<ReleaseMetadata | undefined> {
  // The version names a key: anything but `r<n>-<hex>` is refused before the store is asked.
  if (!/^r\d+-[0-9a-f]{7,40}$/.test(version)) return undefined;
  const text = await artifacts.getText(releaseMetadataKey(pipeline, version));
  return text === undefined ? undefined : (JSON.parse(text) as ReleaseMetadata);
}

function promotedTo(entries: readonly StoredLedgerEntry[], version: string, environment: string): boolean {
  return entries.some(
    (e) => e.kind === 'promotion' && e.environment === environment && e.releaseVersion === version,
  );
}

/** A refreshed environment's schema is its source's after the refresh; another's is its own. */
function schemaOwner(index: number, config: RedeployPorts['config']): string {
  const env = config.environments[index]!;
  return env.database?.refresh && config.database ? config.database.source : env.name;
}

/** The migrations the environment's database holds (its last migrations-applied record) that the release lacks. */
async function migrationsMissing(
  release: ReleaseMetadata,
  index: number,
  entries: readonly StoredLedgerEntry[],
  ports: RedeployPorts,
): Promise<string[]> {
  const { config } = ports;
  if (!config.database || !config.environments[index]!.database) return [];
  const owner = schemaOwner(index, config);
  const own = entries.filter(
    (e) => e.environment === owner && (e.kind === 'data-refresh' || e.kind === 'migrations-applied'),
  );
  const lastRefresh = own.findLastIndex((e) => e.kind === 'data-refresh');
  const present = own.slice(lastRefresh + 1).findLast((e) => e.kind === 'migrations-applied')?.data.present;
  if (!Array.isArray(present) || present.length === 0) return [];
  let has: Set<string>;
  try {
    const migrations = await loadMigrationsFromTarball(
      await ports.artifacts.open(release.artifactKey),
      config.database.migrations,
    );
    has = new Set(migrations.map((m) => m.name));
  } catch {
    // No migrations directory in the artifact (or an unreadable one): it has none of them.
    has = new Set();
  }
  return present.filter((name): name is string => typeof name === 'string' && !has.has(name));
}
