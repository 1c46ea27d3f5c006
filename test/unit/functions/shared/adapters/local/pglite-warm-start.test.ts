import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDataDir } from '../../../../../../functions/shared/adapters/local/file-copy.js';
import { PGliteThreadPool } from '../../../../../../functions/shared/adapters/local/pglite-thread-pool.js';
import { FillMode, VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { WarmPGlite } from '../../../../../../functions/shared/adapters/local/pglite-warm-start.js';
import { sql, tempDir } from '../../../../../support/pglite-server.js';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/** The empty directory a WarmPGlite mounts until it is attached (other processes make their own). */
const placeholderOf = (warm: WarmPGlite) => (warm as unknown as { placeholder: string }).placeholder;

describe('WarmPGlite', () => {
  const dir = tempDir('tollgate-warm-');
  let seeded = '';

  beforeAll(async () => {
    const host = new VolumeHost({ dataDir: dir.path, warmStart: false });
    const url = await host.open('seed', 0);
    await sql(url, 'CREATE TABLE t (id int PRIMARY KEY, note text)');
    await sql(url, "INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 300) g");
    await host.closeAll();
    seeded = host.volumeDir('seed');
  });

  afterAll(() => dir.remove());

  it('serves the same rows as a cold start when attached to a volume', async () => {
    // Arrange
    const warm = new WarmPGlite(START_PARAMS);
    await warm.whenReady();
    // Act
    const db = await warm.attach(seeded);
    const warmRows = await db.query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, string_agg(note, ',' ORDER BY id) AS s FROM t",
    );
    await db.query("INSERT INTO t VALUES (301, 'written warm')");
    await db.close();
    const cold = await PGlite.create({ dataDir: seeded, startParams: START_PARAMS });
    const coldRows = await cold.query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, string_agg(note, ',' ORDER BY id) AS s FROM t WHERE id <= 300",
    );
    const written = await cold.query<{ note: string }>('SELECT note FROM t WHERE id = 301');
    await cold.close();
    // Assert
    expect(warmRows.rows[0].n).toBe(300);
    expect(warmRows.rows[0]).toEqual(coldRows.rows[0]);
    expect(written.rows).toEqual([{ note: 'written warm' }]);
  });

  it('leaves no placeholder directory behind once ready, and still attaches', async () => {
    // Arrange
    const warm = new WarmPGlite(START_PARAMS);
    const placeholder = placeholderOf(warm);
    // Act
    await warm.whenReady();
    // Assert: a spare waiting in a pool until its process exits must not leave it in the temp dir.
    expect(fs.existsSync(placeholder)).toBe(false);
    const db = await warm.attach(seeded);
    expect((await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t')).rows[0].n).toBeGreaterThan(0);
    await db.close();
  });

  it('refuses a directory that is not a Postgres cluster and stays usable', async () => {
    // Arrange
    const warm = new WarmPGlite(START_PARAMS);
    const empty = fs.mkdtempSync(path.join(dir.path, 'empty-'));
    // Act
    const refused = warm.attach(empty);
    // Assert
    await expect(refused).rejects.toThrow(/is not a Postgres data directory \(no PG_VERSION\)/);
    expect(fs.readdirSync(empty)).toEqual([]);
    const db = await warm.attach(seeded);
    expect(
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM t WHERE id <= 300')).rows[0].n,
    ).toBe(300);
    await db.close();
  });

  it('refuses a second attach and an attach after abandon, with one-line errors', async () => {
    // Arrange
    const used = new WarmPGlite(START_PARAMS);
    const db = await used.attach(seeded);
    await db.close();
    const abandoned = new WarmPGlite(START_PARAMS);
    const placeholder = placeholderOf(abandoned);
    expect(fs.existsSync(placeholder)).toBe(true);
    // Act
    abandoned.abandon();
    // Assert
    await expect(used.attach(seeded)).rejects.toThrow('a warm PGlite serves one volume only; take a new one');
    await expect(abandoned.attach(seeded)).rejects.toThrow('a warm PGlite serves one volume only');
    expect(fs.existsSync(placeholder)).toBe(false);
  });
});

describe('VolumeHost warm start', () => {
  const dir = tempDir('tollgate-warm-host-');
  // A pool of this file's own: it counts spares and threads, which another file run earlier in the
  // same worker thread could have left in the process-wide pool.
  const threadPool = new PGliteThreadPool(2);
  const host = new VolumeHost({ dataDir: dir.path, threadPool });
  let source = '';

  beforeAll(async () => {
    const url = await host.open('seed', 0);
    await sql(url, 'CREATE TABLE t (id int PRIMARY KEY)');
    await sql(url, 'INSERT INTO t SELECT generate_series(1, 500)');
    await host.close('seed');
    source = path.join(dir.path, 'source');
    copyDataDir(host.volumeDir('seed'), source);
  });

  afterAll(async () => {
    await host.closeAll();
    await threadPool.endIdle();
    dir.remove();
  });

  it('restarts a replaced volume from the warm PGlite and serves the new data on the same port', async () => {
    // Arrange
    const url = await host.open('live', 0);
    await sql(url, 'CREATE TABLE old_data (id int)');
    const port = host.portOf('live');
    await host.warmReady();
    const before = host.startCounts();
    // Act
    await host.replace('live', source, FillMode.Copy);
    // Assert
    expect(host.startCounts()).toEqual({ warm: before.warm + 1, cold: before.cold });
    expect(host.portOf('live')).toBe(port);
    const after = host.connectionString('live');
    expect(await sql(after, 'SELECT count(*)::int AS n FROM t')).toEqual([{ n: 500 }]);
    expect(await sql(after, "SELECT to_regclass('old_data') IS NULL AS gone")).toEqual([{ gone: true }]);
  });

  it("starts a second host's volume warm on threads the first host left, starting none", async () => {
    // Arrange
    const first = new VolumeHost({ dataDir: path.join(dir.path, 'host-1'), threadPool });
    const second = new VolumeHost({ dataDir: path.join(dir.path, 'host-2'), threadPool });
    try {
      await sql(await first.open('a', 0), 'CREATE TABLE only_in_a (id int)');
      await first.closeAll();
      await second.warmReady();
      const before = threadPool.countsNow();
      // Act
      const url = await second.open('b', 0);
      // Assert
      expect(second.startCounts()).toEqual({ warm: 1, cold: 0 });
      expect(threadPool.countsNow().started).toBe(before.started);
      expect(await sql(url, "SELECT to_regclass('only_in_a') IS NULL AS gone")).toEqual([{ gone: true }]);
    } finally {
      await first.closeAll();
      await second.closeAll();
    }
  });

  it('starts cold when warm start is off', async () => {
    // Arrange
    const cold = new VolumeHost({ dataDir: path.join(dir.path, 'cold'), warmStart: false, threadPool });
    try {
      await cold.open('a', 0);
      await cold.warmReady();
      // Act
      await cold.close('a');
      await cold.open('a', 0);
      // Assert
      expect(cold.startCounts()).toEqual({ warm: 0, cold: 2 });
    } finally {
      await cold.closeAll();
    }
  });

  it('rejects a warmStart that is not a boolean', () => {
    // Arrange
    const options = { dataDir: dir.path, warmStart: 'yes' as unknown as boolean };
    // Act
    const make = () => new VolumeHost(options);
    // Assert
    expect(make).toThrow('VolumeHost warmStart must be true or false, got yes');
  });
});
