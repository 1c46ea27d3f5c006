import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateWithCommand } from '../../../../functions/migrate-database/command-migration.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ProcessTestRunner } from '../../../../functions/shared/adapters/local/process-test-runner.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import {
  type PgliteServer,
  resetSchema,
  sql,
  startPgliteServer,
  tempDir,
} from '../../../support/pglite-server.js';

/** node-pg-migrate, the real tool from the registry, as a team's release would run it. */
const PGM = new URL('../../../../node_modules/node-pg-migrate/bin/node-pg-migrate.js', import.meta.url)
  .pathname;

const ADD_NOTE = `-- Up Migration
ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT 'none';
-- Down Migration
ALTER TABLE orders DROP COLUMN note;
`;
const BAD = `-- Up Migration
ALTER TABLE orders ADD COLUMN total_cents int NOT NULL;
-- Down Migration
SELECT 1;
`;

let db: PgliteServer;
let dir: ReturnType<typeof tempDir>;
let artifacts: DirArtifactStore;

async function release(files: Record<string, string>): Promise<ReleaseRef> {
  const p = pack();
  for (const [name, text] of Object.entries(files)) p.entry({ name }, text);
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of p) chunks.push(chunk as Buffer);
  const { key, digest } = await artifacts.ingest(Readable.from([gzipSync(Buffer.concat(chunks))]));
  return { version: 'r2-abc1234', digest, artifactKey: key, commit: 'c'.repeat(40) };
}

function setup(command: string) {
  const port = Number(new URL(db.connectionString).port);
  const config = parseConfig({
    name: 'shop',
    source: { repository: 'shop' },
    build: { command: 'true', artifact: 'out.tgz' },
    database: { engine: 'postgres', migrate: { command, timeout: '2m' } },
    environments: [
      {
        name: 'prod',
        deploy: { type: 'process', command: 'node server.mjs', port: 4790 },
        database: { port },
      },
    ],
  });
  const clock = new ManualClock();
  const testRunner = new ProcessTestRunner({
    config,
    dataDir: join(dir.path, '.tollgate'),
    artifacts,
    clock,
    stopGraceMs: 200,
  });
  return { config, ports: { testRunner, clock } };
}

let run = 0;
async function migrate(command: string, files: Record<string, string>) {
  const { config, ports } = setup(command);
  run += 1;
  return migrateWithCommand(
    {
      connectionString: db.connectionString,
      migrate: config.database!.migrate!,
      target: {
        pipeline: 'shop',
        environment: 'prod',
        baseUrl: 'http://127.0.0.1:4790',
        release: await release(files),
        idempotencyKey: `arn:run-${run}#MigrateDatabase#prod`,
      },
    },
    ports,
  );
}

describe('migrateWithCommand', () => {
  beforeAll(async () => {
    db = await startPgliteServer();
    dir = tempDir();
    artifacts = new DirArtifactStore(join(dir.path, 'artifacts'));
  });
  afterAll(async () => {
    await db.stop();
    dir.remove();
  });
  beforeEach(async () => {
    // Arrange: the data a refresh brought (rows the migration must keep).
    await resetSchema(db.connectionString);
    await sql(
      db.connectionString,
      'CREATE TABLE orders (id int PRIMARY KEY, total int); INSERT INTO orders VALUES (1, 30), (2, 45)',
    );
  });

  it("applies the release's migrations with the team's tool and names them from its history table", async () => {
    // Act
    const result = await migrate(`node ${PGM} up -m pgm`, { 'pgm/1700000000000_add-note.sql': ADD_NOTE });
    // Assert
    expect(result.applied).toEqual([{ name: 'pgmigrations: 1700000000000_add-note' }]);
    expect(result.command).toMatchObject({ exitCode: 0, timedOut: false });
    expect(result.command.output.join('\n')).toContain('Migrations complete!');
    expect(await sql(db.connectionString, 'SELECT id, total, note FROM orders ORDER BY id')).toEqual([
      { id: 1, total: 30, note: 'none' },
      { id: 2, total: 45, note: 'none' },
    ]);
  });

  it('applies nothing the second time: the tool skips what its history holds', async () => {
    // Arrange
    const files = { 'pgm/1700000000000_add-note.sql': ADD_NOTE };
    await migrate(`node ${PGM} up -m pgm`, files);
    // Act
    const again = await migrate(`node ${PGM} up -m pgm`, files);
    // Assert
    expect(again.applied).toEqual([]);
    expect(again.command.output.join('\n')).toContain('No migrations to run!');
  });

  it('reports a schema change by a tool whose history table it does not know', async () => {
    // Act: a plain script, as a team's own migration might be.
    const result = await migrate('node alter.mjs', {
      'alter.mjs': `import pg from ${JSON.stringify(new URL('../../../../node_modules/pg/lib/index.js', import.meta.url).pathname)};
const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
await c.connect(); await c.query('CREATE INDEX orders_total ON orders (total)'); await c.end();`,
    });
    // Assert
    expect(result.applied).toEqual([{ name: 'schema changed (no known migration table named it)' }]);
  });

  it("fails Tollgate.MigrationFailed with the tool's own words when it exits non-zero, data untouched", async () => {
    // Act
    const failing = migrate(`node ${PGM} up -m pgm`, { 'pgm/1700000000001_bad.sql': BAD });
    // Assert
    await expect(failing).rejects.toMatchObject({ name: 'Tollgate.MigrationFailed' });
    const error = (await failing.catch((e: unknown) => e)) as Error;
    const [summary, evidence] = error.message.split(' | evidence: ');
    expect(summary).toMatch(
      /^database\.migrate\.command `node .*node-pg-migrate\.js up -m pgm` exited with code 1: /,
    );
    // Its own error line, printed before the stack trace and pg's error object that end the output.
    expect(summary).toContain('column "total_cents" of relation "orders" contains null values');
    expect(summary).not.toMatch(/ at |code: '23502'/);
    // node-pg-migrate ends with pg's error object: the NOT NULL violation on the column it added.
    expect(JSON.parse(evidence!).command.output).toEqual(
      expect.arrayContaining(["  code: '23502',", "  column: 'total_cents',"]),
    );
    expect(
      await sql(
        db.connectionString,
        "SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders'",
      ),
    ).toEqual([{ n: 2 }]);
  });

  it('fails in one line when the command cannot be found', async () => {
    // Act
    const failing = migrate('no-such-migration-tool up', { 'x.txt': 'x' });
    // Assert
    await expect(failing).rejects.toThrow(
      /^database\.migrate\.command `no-such-migration-tool up` could not run: could not start .*: is the program installed\? \| evidence: /,
    );
  });
});
