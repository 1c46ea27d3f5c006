import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../functions/shared/clock.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

const root = join(import.meta.dirname, '../..');
const example = join(root, 'examples/orders-service');
/** node-pg-migrate, a real migration tool from the registry; the release's tree has no node_modules. */
const PGM = join(root, 'node_modules/node-pg-migrate/bin/node-pg-migrate.js');
const PG = join(root, 'node_modules/pg/lib/index.js');

const channelMigration = (fallback: string) => `-- Up Migration
ALTER TABLE orders ADD COLUMN channel text NOT NULL DEFAULT '${fallback}';
-- Down Migration
ALTER TABLE orders DROP COLUMN channel;
`;

const INDEX_MIGRATION = `-- Up Migration
CREATE INDEX orders_total ON orders (total_cents);
-- Down Migration
DROP INDEX orders_total;
`;

/** A data test as a dbt project's would be: a query, its count printed, exit 1 on violations. */
const CHANNEL_CHECK = `import pg from ${JSON.stringify(PG)};
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
const { rows } = await client.query("SELECT count(*)::int AS n FROM orders WHERE channel = 'unknown'");
await client.end();
console.log(\`orders without a known channel: \${rows[0].n}\`);
process.exit(rows[0].n === 0 ? 0 : 1);
`;

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Prod before the team's first run: the example's schema and customer data. */
async function seedProduction(p: LocalPipeline): Promise<string> {
  const url = p.runner.ports.volumes.connectionString('prod');
  await migrateDatabase(
    { connectionString: url, migrations: loadMigrationsFromDir(join(example, 'migrations')) },
    { clock: systemClock },
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await seedProd(client, { customers: 200, orders: 800, seed: 11 });
  } finally {
    await client.end();
  }
  return url;
}

const withTool = (database: Record<string, unknown>) => ({
  ...database,
  migrate: { command: `node ${PGM} up -m migrations/pgm`, timeout: '5m' },
  checks: [
    ...(database.checks as unknown[]),
    { type: 'command', name: 'channels-known', run: 'node tests/channels.mjs' },
  ],
});

// Whole pipeline runs with PGlite volumes and a migration tool started per environment: minutes
// (staging left out: it would prove nothing test does not).
describe("the team's own migration tool and data test, through the pipeline", { timeout: 420_000 }, () => {
  it('migrates the refreshed test data and prod with node-pg-migrate, checks it with a command, then promotes', async () => {
    // Arrange: a first release with the tool's first migration, promoted everywhere.
    pipeline = await createLocalPipeline({
      database: true,
      environments: ['test', 'prod'],
      databaseChange: withTool,
    });
    const prodUrl = await seedProduction(pipeline);
    mkdirSync(join(pipeline.repo.dir, 'migrations/pgm'), { recursive: true });
    const baseline = await pipeline.finish(
      await pipeline.start(
        pipeline.repo.commit('orders indexed by total', {
          'migrations/pgm/1699999999999_orders-total.sql': INDEX_MIGRATION,
          'tests/channels.mjs': 'console.log("no channels yet")',
        }),
      ),
    );
    expect(baseline.status, JSON.stringify(baseline)).toBe('SUCCEEDED');
    const head = pipeline.repo.commit('orders get a channel', {
      'migrations/pgm/1700000000000_order-channel.sql': channelMigration('web'),
      'tests/channels.mjs': CHANNEL_CHECK,
    });
    // Act
    const run = await pipeline.start(head);
    const result = await pipeline.finish(run);
    // Assert
    expect(result.status, JSON.stringify(result)).toBe('SUCCEEDED');
    const testUrl = pipeline.runner.ports.volumes.connectionString('test');
    for (const url of [testUrl, prodUrl]) {
      expect(await query(url, 'SELECT name FROM pgmigrations ORDER BY id')).toEqual([
        { name: '1699999999999_orders-total' },
        { name: '1700000000000_order-channel' },
      ]);
      expect(await query(url, "SELECT count(*)::int AS n FROM orders WHERE channel <> 'web'")).toEqual([
        { n: 0 },
      ]);
    }
    const ledger = (await pipeline.runner.ports.ledger.query({ pipeline: 'orders-service' })).filter(
      (e) => e.executionArn === run,
    );
    const migrated = ledger.filter((e) => e.kind === 'migrations-applied');
    expect(migrated.map((e) => [e.environment, e.data.applied])).toEqual([
      ['test', ['pgmigrations: 1700000000000_order-channel']],
      ['prod', ['pgmigrations: 1700000000000_order-channel']],
    ]);
    expect((migrated[0]!.data.command as { output: string[] }).output.join('\n')).toContain(
      'Migrations complete!',
    );
    // The rest of the data-aware flow still runs on a tool's migration: prod's checkpoint first,
    // the previous release tried on test's migrated data.
    expect(ledger.filter((e) => e.kind === 'migration-checkpoint').map((e) => e.environment)).toEqual([
      'prod',
    ]);
    expect(
      ledger.find((e) => e.kind === 'compatibility-check' && e.environment === 'test')?.data,
    ).toMatchObject({ result: 'passed' });
  });

  it('stops in test when the command check fails, with its output, and leaves prod as it was', async () => {
    // Arrange
    pipeline = await createLocalPipeline({
      database: true,
      environments: ['test', 'prod'],
      databaseChange: withTool,
    });
    const prodUrl = await seedProduction(pipeline);
    mkdirSync(join(pipeline.repo.dir, 'migrations/pgm'), { recursive: true });
    const head = pipeline.repo.commit('orders get a channel, unknown for the old ones', {
      'migrations/pgm/1700000000000_order-channel.sql': channelMigration('unknown'),
      'tests/channels.mjs': CHANNEL_CHECK,
    });
    // Act
    const result = await pipeline.finish(await pipeline.start(head));
    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Tollgate.DataCheckFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({ stage: 'data-checks', environment: 'test' });
    expect(cause.cause).toMatch(
      /^1 of 5 data checks failed: channels-known \(exited with code 1\) \| evidence: /,
    );
    expect(cause.cause).toContain('orders without a known channel: 800');
    const prodColumns = await query(
      prodUrl,
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'channel'",
    );
    expect(prodColumns).toEqual([]);
  });
});
