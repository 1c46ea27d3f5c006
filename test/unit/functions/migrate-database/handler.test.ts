import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../../functions/migrate-database/handler.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import {
  type PgliteServer,
  resetSchema,
  sql,
  startPgliteServer,
  tempDir,
} from '../../../support/pglite-server.js';

const config = (database?: object) =>
  parseConfig({
    name: 'shop',
    source: { repository: 'shop' },
    build: { command: 'true', artifact: 'out.tgz' },
    ...(database ? { database } : {}),
    environments: [
      { name: 'prod', deploy: { type: 'ecs', cluster: 'c', service: 's', containerName: 'app' } },
    ],
  });

let db: PgliteServer;
let dir: ReturnType<typeof tempDir>;
let artifacts: DirArtifactStore;
const handlerWith = (database?: object) =>
  createHandler(
    async () =>
      ({ config: config(database), clock: new ManualClock(), artifacts }) as unknown as TollgatePorts,
  );

describe('migrate-database handler', () => {
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
    await resetSchema(db.connectionString);
  });

  it('returns the applied migrations when they come from the release tarball', async () => {
    // Arrange
    const pack = tar.pack();
    pack.entry({ name: 'db/0001_create.sql' }, 'CREATE TABLE from_tarball (id int);');
    pack.entry({ name: 'src/server.mjs' }, 'console.log(1)');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const { key } = await artifacts.ingest(Readable.from([gzipSync(Buffer.concat(chunks))]));
    // Act
    const result = await handlerWith({ engine: 'postgres', migrations: 'db' })({
      connectionString: db.connectionString,
      artifactKey: key,
    });
    // Assert
    expect(result.applied.map((m) => m.name)).toEqual(['0001_create']);
    expect(await sql(db.connectionString, "SELECT to_regclass('from_tarball') IS NOT NULL AS ok")).toEqual([
      { ok: true },
    ]);
  });

  it('returns the applied migrations when they come from an unpacked release directory', async () => {
    // Arrange
    const release = join(dir.path, 'release');
    mkdirSync(join(release, 'migrations'), { recursive: true });
    writeFileSync(join(release, 'migrations', '0001_create.sql'), 'CREATE TABLE from_dir (id int);');
    // Act
    const result = await handlerWith({ engine: 'postgres' })({
      connectionString: db.connectionString,
      releasePath: release,
    });
    // Assert
    expect(result.applied.map((m) => m.name)).toEqual(['0001_create']);
  });

  it('throws InvalidInput naming the field when the connection string is not a postgres URL', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith({ engine: 'postgres' })({ connectionString: 'http://db', releasePath: '/tmp/x' }),
    ).rejects.toThrow(/^migrate-database: invalid input: connectionString: must be a postgres:\/\//);
  });

  it('throws InvalidInput when both or neither release sources are given', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith({ engine: 'postgres' })({ connectionString: db.connectionString }),
    ).rejects.toThrow(/set exactly one of "releasePath" or "artifactKey"/);
  });

  it('throws InvalidInput when the release path is relative', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith({ engine: 'postgres' })({ connectionString: db.connectionString, releasePath: 'release' }),
    ).rejects.toThrow(/^migrate-database: releasePath must be an absolute path$/);
  });

  it('throws InvalidInput when the config has no database block', async () => {
    // Arrange / Act / Assert
    await expect(
      handlerWith()({ connectionString: db.connectionString, releasePath: '/tmp' }),
    ).rejects.toThrow(/^migrate-database: the config has no "database" block$/);
  });
});
