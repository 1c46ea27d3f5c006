import { loadMigrationsFromTarball } from '../migrate-database/migration-files.js';
import { type PgClient, withClient } from '../shared/database/pg-client.js';
import { ConfigError } from '../shared/errors.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import type { ReleaseRef } from '../shared/release.js';

interface MigrationPlan {
  /** The release's migrations this environment's database has not applied yet, in order. */
  readonly pending: string[];
  /** The pending ones the config marks breaking (`database.breaking`). */
  readonly breaking: string[];
  /** Whether a checkpoint is taken first: a database that is not refreshed, with pending migrations. */
  readonly checkpoint: boolean;
  /**
   * `database.breaking` names this release has no file for: declared ahead of the release that
   * brings the migration (the config is deployed apart from the commits), or a typo; shown so a
   * typo does not go unnoticed.
   */
  readonly breakingNotInRelease: string[];
  /** Set with `database.migrate.command`: why `pending` is empty although the tool may apply some. */
  readonly pendingUnknown?: string;
}

/**
 * What this release's migrations will change here, read from the database itself
 * (`tollgate_migrations`, which migrate-database writes in the same transaction as each migration),
 * not from the ledger: a migration run by hand (`tollgate db migrate`) is in the database only.
 */
export async function planMigrations(
  input: { readonly environment: string; readonly release: ReleaseRef; readonly connectionString: string },
  ports: Pick<TollgatePorts, 'config' | 'artifacts'>,
): Promise<MigrationPlan> {
  const database = ports.config.database;
  if (!database) throw new ConfigError('migration-safety: the config has no "database" block');
  const env = ports.config.environments.find((e) => e.name === input.environment);
  // A migration tool decides for itself what is pending, and only while it runs; so a database
  // that is not refreshed takes its checkpoint before every migrate run, not only when files are new.
  if (database.migrate)
    return {
      pending: [],
      breaking: [],
      checkpoint: env?.database?.refresh !== true,
      breakingNotInRelease: [],
      pendingUnknown: `database.migrate.command (\`${database.migrate.command}\`) decides what is pending when it runs`,
    };
  const migrations = await loadMigrationsFromTarball(
    await ports.artifacts.open(input.release.artifactKey),
    database.migrations,
  );
  const applied = await withClient(input.connectionString, appliedVersions, {
    applicationName: 'tollgate-migration-safety',
  });
  const pending = migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
  return {
    pending,
    breaking: pending.filter((name) => database.breaking.includes(name)),
    checkpoint: pending.length > 0 && env?.database?.refresh !== true,
    breakingNotInRelease: database.breaking.filter((name) => !migrations.some((m) => m.name === name)),
  };
}

async function appliedVersions(client: PgClient): Promise<Set<number>> {
  const table = await client.query<{ present: boolean }>(
    "SELECT to_regclass('tollgate_migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present) return new Set();
  const rows = await client.query<{ version: number }>('SELECT version FROM tollgate_migrations');
  return new Set(rows.rows.map((r) => r.version));
}
