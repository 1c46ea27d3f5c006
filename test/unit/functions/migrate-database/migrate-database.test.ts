import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../../../../functions/migrate-database/migrate-database.js';
import type { Migration } from '../../../../functions/migrate-database/migration-files.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { type PgliteServer, resetSchema, sql, startPgliteServer } from '../../../support/pglite-server.js';

const migration = (version: number, slug: string, text: string): Migration => ({
  version,
  name: `${String(version).padStart(4, '0')}_${slug}`,
  sql: text,
  checksum: createHash('sha256').update(text).digest('hex'),
});

const m1 = migration(1, 'create_people', 'CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL);');
const m2 = migration(
  2,
  'seed_people',
  "INSERT INTO people VALUES (1, 'Ann@Example.com'), (2, 'ann@example.com');",
);
const bad = migration(
  3,
  'unique_lower_email',
  'CREATE UNIQUE INDEX people_email_key ON people (lower(email));',
);

let db: PgliteServer;
const clock = new ManualClock('2026-03-01T10:00:00.000Z');

describe('migrateDatabase', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(async () => {
    await resetSchema(db.connectionString);
  });

  it('returns every migration as applied, in version order, when the database is empty', async () => {
    // Arrange
    const migrations = [m1, m2];
    // Act
    const result = await migrateDatabase({ connectionString: db.connectionString, migrations }, { clock });
    // Assert
    expect(result.applied.map((m) => m.name)).toEqual(['0001_create_people', '0002_seed_people']);
    expect(result.skipped).toEqual([]);
    const rows = await sql<{ version: number; checksum: string; applied_at: Date }>(
      db.connectionString,
      'SELECT version, checksum, applied_at FROM tollgate_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual([1, 2]);
    expect(rows[0].checksum).toBe(m1.checksum);
    expect(rows[0].applied_at.toISOString()).toBe('2026-03-01T10:00:00.000Z');
  });

  it('returns applied migrations as skipped when run again', async () => {
    // Arrange
    await migrateDatabase({ connectionString: db.connectionString, migrations: [m1] }, { clock });
    // Act
    const result = await migrateDatabase(
      { connectionString: db.connectionString, migrations: [m1, m2] },
      { clock },
    );
    // Assert
    expect(result.skipped).toEqual([{ version: 1, name: '0001_create_people' }]);
    expect(result.applied.map((m) => m.version)).toEqual([2]);
    expect(await sql(db.connectionString, 'SELECT * FROM people')).toHaveLength(2);
  });

  it('throws MigrationFailedError with the code and a masked key, and rolls back, when a migration fails', async () => {
    // Arrange
    await migrateDatabase({ connectionString: db.connectionString, migrations: [m1, m2] }, { clock });
    // Act
    const error = (await migrateDatabase(
      { connectionString: db.connectionString, migrations: [m1, m2, bad] },
      { clock },
    ).catch((e: unknown) => e)) as Error;
    // Assert
    expect(error.name).toBe('Tollgate.MigrationFailed');
    expect(error.message).toMatch(
      /^migration 0003_unique_lower_email failed: 23505 could not create unique index "people_email_key": Key \(lower\(email\)\)=\(a\*\*\*~[0-9a-f]{4}\) is duplicated\.$/,
    );
    expect(error.message).not.toContain('example.com');
    expect(
      await sql(db.connectionString, "SELECT 1 FROM pg_indexes WHERE indexname = 'people_email_key'"),
    ).toEqual([]);
    expect(
      await sql(db.connectionString, 'SELECT version FROM tollgate_migrations WHERE version = 3'),
    ).toEqual([]);
  });

  it('keeps the earlier migrations of the same run when a later one fails', async () => {
    // Arrange
    const broken = migration(2, 'broken', 'CREATE TABLE orders (id int); SELECT no_such_function();');
    // Act
    const error = await migrateDatabase(
      { connectionString: db.connectionString, migrations: [m1, broken] },
      { clock },
    ).catch((e: Error) => e);
    // Assert
    expect((error as Error).message).toMatch(
      /^migration 0002_broken failed: 42883 function no_such_function\(\) does not exist$/,
    );
    expect(
      await sql(
        db.connectionString,
        "SELECT to_regclass('people') IS NOT NULL AS p, to_regclass('orders') IS NOT NULL AS o",
      ),
    ).toEqual([{ p: true, o: false }]);
  });

  it('throws and applies nothing when an applied migration was changed', async () => {
    // Arrange
    await migrateDatabase({ connectionString: db.connectionString, migrations: [m1] }, { clock });
    const edited = migration(1, 'create_people', 'CREATE TABLE people (id bigint PRIMARY KEY, email text);');
    // Act
    const error = await migrateDatabase(
      { connectionString: db.connectionString, migrations: [edited, m2] },
      { clock },
    ).catch((e: Error) => e);
    // Assert
    expect((error as Error).name).toBe('Tollgate.MigrationFailed');
    expect((error as Error).message).toMatch(
      /^migration 0001_create_people was changed after it was applied/,
    );
    expect(await sql(db.connectionString, 'SELECT * FROM people')).toEqual([]);
  });

  it('throws and applies nothing when an applied migration is missing from the release', async () => {
    // Arrange
    await migrateDatabase({ connectionString: db.connectionString, migrations: [m1, m2] }, { clock });
    const m3 = migration(3, 'add_index', 'CREATE INDEX people_id ON people (id);');
    // Act
    const error = await migrateDatabase(
      { connectionString: db.connectionString, migrations: [m1, m3] },
      { clock },
    ).catch((e: Error) => e);
    // Assert
    expect((error as Error).message).toMatch(
      /^migration 0002_seed_people is applied in the database but missing/,
    );
    expect(await sql(db.connectionString, "SELECT 1 FROM pg_indexes WHERE indexname = 'people_id'")).toEqual(
      [],
    );
  });
});
