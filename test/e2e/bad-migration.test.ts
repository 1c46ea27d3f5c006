import { constants, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { database } from '../../examples/orders-service/database.config.js';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { checkData } from '../../functions/check-data/check-data.js';
import { maskData } from '../../functions/mask-data/mask-data.js';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../functions/shared/clock.js';
import { recordSourceRowCounts } from '../../functions/shared/database/row-counts.js';
import { MigrationFailedError } from '../../functions/shared/errors.js';
import { verifyMasking } from '../../functions/verify-masking/verify-masking.js';
import { type PgliteServer, startPgliteServer } from '../support/pglite-server.js';

const example = join(import.meta.dirname, '../../examples/orders-service');
const released = loadMigrationsFromDir(join(example, 'migrations'));
const badRelease = [...released, ...loadMigrationsFromDir(join(example, 'scenarios/bad-migration'))];
const fixedRelease = [...released, ...loadMigrationsFromDir(join(example, 'scenarios/fixed-migration'))];
const clock = systemClock;
// The example's config does not carry a unique e-mail check (it would block every release until the
// fixed 0003 ships), so these tests add one: it must fail before the fix and pass after it.
const withUniqueEmails = [
  ...database.checks,
  { type: 'unique' as const, table: 'customers', columns: ['email'], ignoreCase: true, name: undefined },
];

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A fingerprint of every row, so "prod is untouched" means byte-for-byte the same data. */
const fingerprint = (url: string) =>
  query<{ customers: string; orders: string }>(
    url,
    `SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customers c) AS customers,
            (SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o) AS orders`,
  );

const caseDuplicateGroups = async (url: string) =>
  Number(
    (
      await query<{ n: string }>(
        url,
        'SELECT count(*) AS n FROM (SELECT 1 FROM customers GROUP BY lower(email) HAVING count(*) > 1) d',
      )
    )[0].n,
  );

/** Clones the pristine snapshot into a fresh "test" volume and serves it, as the local provider does. */
function cloneVolume(snapshot: string, name: string): string {
  const target = join(root, name);
  cpSync(snapshot, target, { recursive: true, mode: constants.COPYFILE_FICLONE });
  return target;
}

let root: string;
let prod: PgliteServer;
let snapshot: string;
let sourceRowCounts: Record<string, number>;
let prodBefore: Awaited<ReturnType<typeof fingerprint>>;
let prodEmails: string[];
const servers: PgliteServer[] = [];

describe('bad migration on production-like data', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'tollgate-e2e-data-'));
    // Prod runs the current release (0001, 0002) and holds the seeded customer data.
    prod = await startPgliteServer({ dataDir: join(root, 'prod') });
    await migrateDatabase({ connectionString: prod.connectionString, migrations: released }, { clock });
    const client = new pg.Client({ connectionString: prod.connectionString });
    await client.connect();
    const seeded = await seedProd(client, { customers: 10_000, orders: 100_000, seed: 42 });
    await client.end();
    expect(seeded.sharedEmailCustomers).toBeGreaterThan(0);
    sourceRowCounts = await recordSourceRowCounts(prod.connectionString, ['customers', 'orders']);
    prodBefore = await fingerprint(prod.connectionString);
    prodEmails = (await query<{ email: string }>(prod.connectionString, 'SELECT email FROM customers')).map(
      (r) => r.email,
    );
    // Snapshot: the volume is copied while its database is closed, then prod comes back.
    await prod.stop();
    snapshot = join(root, 'snapshot');
    cpSync(prod.dataDir, snapshot, { recursive: true, mode: constants.COPYFILE_FICLONE });
    prod = await startPgliteServer({ dataDir: prod.dataDir });
  }, 120_000);

  afterAll(async () => {
    for (const s of [...servers, prod]) await s?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('fails the bad migration in test with a masked 23505, leaves prod untouched, then passes the fixed one', async () => {
    // Arrange: refresh test from the snapshot, mask it and prove the masking.
    const test = await startPgliteServer({ dataDir: cloneVolume(snapshot, 'test') });
    servers.push(test);
    const masked = await maskData(
      {
        connectionString: test.connectionString,
        rules: database.masking,
        salt: 'run-1-salt-0123456789',
        runKey: 'run-1#Mask',
      },
      { clock },
    );
    const verified = await verifyMasking({
      connectionString: test.connectionString,
      sourceConnectionString: prod.connectionString,
      rules: database.masking,
      sourceRowCounts,
    });

    // Act: run the release that adds UNIQUE(lower(email)).
    const failure = await migrateDatabase(
      { connectionString: test.connectionString, migrations: badRelease },
      { clock },
    )
      .then(() => undefined)
      .catch((e: unknown) => e);

    // Assert: the masking kept the case-insensitive collisions, so the migration fails as on prod.
    expect(masked.totalRows).toBe(110_000);
    expect(masked.rules.find((r) => r.column === 'email')?.rows).toBe(10_000);
    expect(verified.evidence.every((e) => e.passed)).toBe(true);
    expect(await caseDuplicateGroups(test.connectionString)).toBe(
      await caseDuplicateGroups(prod.connectionString),
    );
    expect(failure).toBeInstanceOf(MigrationFailedError);
    const message = (failure as Error).message;
    expect((failure as Error).name).toBe('Tollgate.MigrationFailed');
    expect(message).toMatch(/^migration 0003_unique_lower_email failed: 23505 could not create unique index/);
    expect(message).toMatch(/Key \(lower\(email\)\)=\(.\*\*\*~[0-9a-f]{4}\) is duplicated/);
    const testEmails = (
      await query<{ email: string }>(test.connectionString, 'SELECT email FROM customers')
    ).map((r) => r.email);
    for (const email of [...prodEmails, ...testEmails]) expect(message).not.toContain(email);
    const evidenceText = JSON.stringify({ masked, verified });
    for (const email of prodEmails) expect(evidenceText).not.toContain(email);

    // The failed migration rolled back in test, and prod never saw it.
    const applied = (url: string) =>
      query<{ version: number }>(url, 'SELECT version FROM tollgate_migrations ORDER BY version');
    expect((await applied(test.connectionString)).map((r) => r.version)).toEqual([1, 2]);
    expect((await applied(prod.connectionString)).map((r) => r.version)).toEqual([1, 2]);
    const indexes = (url: string) =>
      query(url, "SELECT 1 FROM pg_indexes WHERE indexname = 'customers_email_lower_key'");
    expect(await indexes(test.connectionString)).toHaveLength(0);
    expect(await indexes(prod.connectionString)).toHaveLength(0);
    expect(await fingerprint(prod.connectionString)).toEqual(prodBefore);

    // A unique check sees the same problem before any migration fixes it.
    type Failed = { name: string; evidence: Array<{ type: string; passed: boolean; sample: string[] }> };
    const checksBefore = (await checkData(
      { connectionString: test.connectionString, checks: withUniqueEmails, sourceRowCounts },
      { clock },
    ).catch((e: unknown) => e)) as Failed;
    expect(checksBefore.name).toBe('Tollgate.DataCheckFailed');
    const unique = checksBefore.evidence.find((e) => e.type === 'unique');
    expect(unique?.passed).toBe(false);
    expect(unique?.sample.length).toBe(5);
    for (const sample of unique?.sample ?? []) expect(sample).toMatch(/^.\*\*\*~[0-9a-f]{4}$/);
  });

  it('passes the fixed migration and every data check on a fresh masked copy of prod', async () => {
    // Arrange
    const test = await startPgliteServer({ dataDir: cloneVolume(snapshot, 'test-2') });
    servers.push(test);
    await maskData(
      {
        connectionString: test.connectionString,
        rules: database.masking,
        salt: 'run-2-salt-0123456789',
        runKey: 'run-2#Mask',
      },
      { clock },
    );
    await verifyMasking({
      connectionString: test.connectionString,
      sourceConnectionString: prod.connectionString,
      rules: database.masking,
      sourceRowCounts,
    });

    // Act
    const migrated = await migrateDatabase(
      { connectionString: test.connectionString, migrations: fixedRelease },
      { clock },
    );
    const checks = await checkData(
      { connectionString: test.connectionString, checks: withUniqueEmails, sourceRowCounts },
      { clock },
    );

    // Assert
    expect(migrated.applied.map((m) => m.name)).toEqual(['0003_unique_lower_email']);
    expect(migrated.skipped.map((m) => m.version)).toEqual([1, 2]);
    expect(checks.passed).toBe(true);
    expect(checks.evidence).toHaveLength(withUniqueEmails.length);
    expect(checks.evidence.find((e) => e.type === 'rowCountMatchesSource')?.count).toBe(0);
    expect(await caseDuplicateGroups(test.connectionString)).toBe(0);
    expect(await fingerprint(prod.connectionString)).toEqual(prodBefore);
  });
});
