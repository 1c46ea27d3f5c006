import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { parseConfig } from '../../../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../../../functions/shared/config/schema.js';
import { ensureFirstData } from '../../../../runtime/up/first-data.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { freePort } from '../../../support/free-port.js';

/** The seed script imports pg by path: the temporary repository has no node_modules. */
const PG = createRequire(import.meta.url).resolve('pg');
const PGM = new URL('../../../../node_modules/node-pg-migrate/bin/node-pg-migrate.js', import.meta.url)
  .pathname;

describe('ensureFirstData', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-first-data-'));
  const repo = join(dir, 'repo');
  const host = new VolumeHost({ dataDir: join(dir, '.tollgate') });
  const ports: Record<string, number> = {};

  const configWith = (database: Partial<NonNullable<TollgateConfigInput['database']>>) =>
    parseConfig(
      validConfig({
        database: { engine: 'postgres', provider: { type: 'local' }, source: 'prod', ...database },
        environments: ['test', 'prod', 'other'].map((name, i) => ({
          name,
          deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 + i },
          database: { port: ports[name]! },
        })),
      }),
    );
  const run = async (database: Partial<NonNullable<TollgateConfigInput['database']>>, source = 'prod') => {
    const said: string[] = [];
    const outcome = await ensureFirstData({
      config: configWith({ ...database, source }),
      projectDir: repo,
      connectionString: (env) => host.connectionString(env),
      say: (line) => said.push(line),
    });
    return { outcome, said };
  };
  const query = async (env: string, sql: string) => {
    const client = new pg.Client({ connectionString: host.connectionString(env) });
    await client.connect();
    try {
      return (await client.query(sql)).rows;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    for (const name of ['test', 'prod', 'other']) {
      ports[name] = await freePort();
      await host.open(name, ports[name]);
    }
    mkdirSync(join(repo, 'migrations'), { recursive: true });
    writeFileSync(
      join(repo, 'migrations/0001_customers.sql'),
      'CREATE TABLE customers (id int PRIMARY KEY, email text);\n',
    );
    writeFileSync(
      join(repo, 'seed.mjs'),
      `import pg from ${JSON.stringify(PG)};
const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
await client.query("INSERT INTO customers VALUES (1, 'a@example.test'), (2, 'b@example.test'), (3, 'c@example.test')");
await client.end();
`,
    );
  }, 180_000);

  afterAll(async () => {
    await host.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says how to fill an empty source database when the config has no seed, and changes nothing', async () => {
    // Act
    const { outcome, said } = await run({}, 'test');
    // Assert
    expect(outcome).toEqual({ kind: 'advised', environment: 'test' });
    expect(said).toEqual([
      '  test has no data yet, so refreshes would test on nothing: give database.seed.command in tollgate.config.ts, or load a dump: npx tollgate db import test dump.sql',
    ]);
    expect(await query('test', "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).toEqual([]);
  });

  it('applies the migrations, runs the seed command with DATABASE_URL, and leaves a seeded database alone next time', async () => {
    // Act
    const first = await run({ seed: { command: 'node seed.mjs' } });
    const second = await run({ seed: { command: 'node seed.mjs' } });
    // Assert
    expect(first.outcome).toEqual({ kind: 'seeded', environment: 'prod', rows: 3 });
    expect(first.said).toEqual([
      '  prod has no data yet: seeding it with `node seed.mjs`',
      '  prod seeded: 3 rows',
    ]);
    expect(await query('prod', 'SELECT version, name FROM tollgate_migrations')).toEqual([
      { version: 1, name: '0001_customers' },
    ]);
    expect(second).toEqual({ outcome: { kind: 'has-data', environment: 'prod' }, said: [] });
    expect(await query('prod', 'SELECT count(*)::int AS n FROM customers')).toEqual([{ n: 3 }]);
  });

  it('reports a seed command that fails in one line', async () => {
    // Act
    const { outcome, said } = await run({ seed: { command: 'exit 3' } }, 'other');
    // Assert
    expect(outcome).toEqual({
      kind: 'seed-failed',
      environment: 'other',
      reason: '`exit 3` exited with code 3',
    });
    expect(said.at(-1)).toBe(
      '  seeding other failed: `exit 3` exited with code 3 (its output is in the log)',
    );
  });

  it('runs database.migrate.command in the repository instead of the built-in runner, then the seed', async () => {
    // Arrange: the team's tool (node-pg-migrate from the registry) and its migration.
    mkdirSync(join(repo, 'pgm'), { recursive: true });
    writeFileSync(
      join(repo, 'pgm/1700000000000_customers.sql'),
      '-- Up Migration\nCREATE TABLE customers (id int PRIMARY KEY, email text);\n-- Down Migration\nDROP TABLE customers;\n',
    );
    const tool = `node ${JSON.stringify(PGM)} up -m pgm`;
    // Act (test is still empty: the first case only advised)
    const { outcome, said } = await run(
      { migrate: { command: tool }, seed: { command: 'node seed.mjs' } },
      'test',
    );
    // Assert
    expect(outcome).toEqual({ kind: 'seeded', environment: 'test', rows: 4 });
    expect(said[0]).toBe(`  migrating test with \`${tool}\` before seeding`);
    expect(await query('test', 'SELECT name FROM pgmigrations')).toEqual([
      { name: '1700000000000_customers' },
    ]);
    expect(await query('test', "SELECT to_regclass('tollgate_migrations') IS NULL AS none")).toEqual([
      { none: true },
    ]);
  }, 60_000);

  it('refuses an empty seed command in the config, naming the fix', () => {
    // Act + Assert
    expect(() => configWith({ seed: { command: '  ' } })).toThrow(
      /database\.seed\.command: give the command that fills the database, e\.g\. "node scripts\/seed\.mjs"/,
    );
  });
});
