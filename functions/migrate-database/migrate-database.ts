import type { Clock } from '../shared/clock.js';
import { describePgError } from '../shared/database/masked-value.js';
import { inTransaction, type PgClient, withClient } from '../shared/database/pg-client.js';
import { MigrationFailedError } from '../shared/errors.js';
import type { Migration } from './migration-files.js';

export interface MigrateDatabaseInput {
  readonly connectionString: string;
  readonly migrations: readonly Migration[];
}

interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly durationMs: number;
}

export interface MigrateDatabaseResult {
  readonly applied: AppliedMigration[];
  readonly skipped: Array<{ version: number; name: string }>;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

/** One key for every Tollgate migrator, so two runs against one database take turns. */
const ADVISORY_LOCK_KEY = 7_410_001;

/**
 * Applies the release's migrations in version order, each in its own transaction together with its
 * row in `tollgate_migrations`, so a crash leaves either both or neither. Applied migrations are
 * skipped, which makes a re-invoked task a no-op.
 */
export async function migrateDatabase(
  input: MigrateDatabaseInput,
  ports: { clock: Clock },
): Promise<MigrateDatabaseResult> {
  return withClient(
    input.connectionString,
    async (client) => {
      await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
      try {
        return await applyPending(client, input.migrations, ports.clock);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(() => undefined);
      }
    },
    { applicationName: 'tollgate-migrate' },
  );
}

async function applyPending(client: PgClient, migrations: readonly Migration[], clock: Clock) {
  await client.query(`CREATE TABLE IF NOT EXISTS tollgate_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL,
    duration_ms integer NOT NULL
  )`);
  const applied = new Map(
    (await client.query<AppliedRow>('SELECT version, name, checksum FROM tollgate_migrations')).rows.map(
      (r) => [r.version, r],
    ),
  );
  checkHistory(migrations, applied);

  const result: MigrateDatabaseResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (applied.has(migration.version)) {
      result.skipped.push({ version: migration.version, name: migration.name });
      continue;
    }
    const started = clock.now().getTime();
    await inTransaction(client, async () => {
      try {
        await client.query(migration.sql);
      } catch (cause) {
        const pg = describePgError(cause);
        throw new MigrationFailedError(`migration ${migration.name} failed: ${pg.code} ${pg.message}`, {
          cause,
        });
      }
      const durationMs = Math.max(0, clock.now().getTime() - started);
      await client.query(
        'INSERT INTO tollgate_migrations (version, name, checksum, applied_at, duration_ms) VALUES ($1, $2, $3, $4, $5)',
        [migration.version, migration.name, migration.checksum, clock.now(), durationMs],
      );
      result.applied.push({ version: migration.version, name: migration.name, durationMs });
    });
  }
  return result;
}

/** The database's history must be a prefix-compatible subset of the release's files, unchanged. */
function checkHistory(migrations: readonly Migration[], applied: ReadonlyMap<number, AppliedRow>): void {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied.values()) {
    const file = byVersion.get(row.version);
    if (!file) {
      throw new MigrationFailedError(
        `migration ${row.name} is applied in the database but missing from the release; restore the file`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationFailedError(
        `migration ${file.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)} in the database, ${file.checksum.slice(0, 12)} in the release); add a new migration instead`,
      );
    }
  }
}
