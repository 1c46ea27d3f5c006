import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDatabasePassword } from '../../../../functions/shared/adapters/local/database-password.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { freePort } from '../../../support/free-port.js';

const BIN = new URL('../../../../bin/tollgate.js', import.meta.url).pathname;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function tollgate(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('tollgate db import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-db-import-'));
  const repo = join(dir, 'repo');
  const dataDir = join(dir, '.tollgate');
  const host = new VolumeHost({ dataDir });
  let prodPort = 0;
  let stagingPort = 0;
  const common = () => ['--repo', repo, '--data-dir', dataDir];
  const file = (name: string, sql: string) => {
    writeFileSync(join(dir, name), sql);
    return join(dir, name);
  };
  const tables = async () => {
    const client = new pg.Client({ connectionString: host.connectionString('prod') });
    await client.connect();
    try {
      const { rows } = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
      );
      return rows.map((r) => r.tablename);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    prodPort = await freePort();
    stagingPort = await freePort();
    const config = validConfig({
      environments: [
        { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: await freePort() } },
        {
          name: 'staging',
          deploy: { type: 'process', command: 'node src/server.mjs', port: await freePort() },
          database: { port: stagingPort },
        },
        {
          name: 'prod',
          deploy: { type: 'process', command: 'node src/server.mjs', port: await freePort() },
          database: { port: prodPort },
        },
      ],
    });
    mkdirSync(repo);
    writeFileSync(join(repo, 'tollgate.config.ts'), `export default ${JSON.stringify(config)};\n`);
    await host.open('prod', prodPort);
    // Staging has its password (tollgate up served it once) but nothing serves it now.
    await loadOrCreateDatabasePassword(dataDir, 'staging');
  }, 180_000);

  afterAll(async () => {
    await host.closeAll();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the file in the served database and reports it', async () => {
    // Arrange
    const dump = file(
      'dump.sql',
      "CREATE TABLE customers (id int PRIMARY KEY, email text);\nINSERT INTO customers VALUES (1, 'a@example.test'), (2, 'b@example.test');\n",
    );
    // Act
    const run = await tollgate(['db', 'import', 'prod', dump, '--json', ...common()]);
    const client = new pg.Client({ connectionString: host.connectionString('prod') });
    await client.connect();
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM customers');
    await client.end();
    // Assert
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toMatchObject({ environment: 'prod', file: dump });
    expect(rows).toEqual([{ n: 2 }]);
  });

  it('exits 1 with one line and leaves the database as it was when a statement fails', async () => {
    // Arrange: the first statement works, the second cannot.
    const dump = file('bad.sql', 'CREATE TABLE orders (id int);\nINSERT INTO no_such_table VALUES (1);\n');
    // Act
    const run = await tollgate(['db', 'import', 'prod', dump, ...common()]);
    // Assert
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^tollgate: .*bad\.sql: relation "no_such_table" does not exist; nothing was imported\n$/,
    );
    expect(await tables()).toEqual(['customers']);
  });

  it.each([
    [
      'an unknown environment',
      () => ['db', 'import', 'qa', file('x.sql', 'SELECT 1;')],
      2,
      /^tollgate: unknown environment "qa"; the config has: test, staging, prod\n$/,
    ],
    [
      'an environment without a database',
      () => ['db', 'import', 'test', file('x.sql', 'SELECT 1;')],
      2,
      /^tollgate: environment "test" has no local database; give it environments\[\]\.database\.port\n$/,
    ],
    [
      'a missing file',
      () => ['db', 'import', 'prod', join(dir, 'nope.sql')],
      2,
      /^tollgate: no such file: .*nope\.sql\n$/,
    ],
    [
      'a pg_dump with COPY blocks',
      () => [
        'db',
        'import',
        'prod',
        file('copy.sql', 'COPY public.customers (id, email) FROM stdin;\n3\tc@example.test\n\\.\n'),
      ],
      2,
      /^tollgate: .*copy\.sql has COPY … FROM stdin blocks, which only psql can load; dump with pg_dump --inserts instead\n$/,
    ],
    [
      'an environment nothing serves',
      () => ['db', 'import', 'staging', file('x.sql', 'SELECT 1;')],
      3,
      /^tollgate: nothing serves staging's database on 127\.0\.0\.1:\d+; start npx tollgate up/,
    ],
  ])('refuses %s in one line and changes nothing', async (_, args, code, message) => {
    // Act
    const run = await tollgate([...args(), ...common()]);
    // Assert
    expect(run.code).toBe(code);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await tables()).toEqual(['customers']);
  });
});
