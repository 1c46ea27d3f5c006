import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDataDir } from '../../../../../../functions/shared/adapters/local/file-copy.js';
import { FillMode, VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { tempDir } from '../../../../../support/pglite-server.js';

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

const inode = (file: string) => fs.statSync(file).ino;

describe('VolumeHost.replace', () => {
  const dir = tempDir('tollgate-volumes-');
  const host = new VolumeHost({ dataDir: dir.path });
  const sources = path.join(dir.path, 'sources');
  let seeded = '';
  let liveUrl = '';

  /** A fresh copy of the seeded data directory (500 rows in `t`) to fill a volume from. */
  const source = (name: string, root = sources): string => {
    const to = path.join(root, name);
    copyDataDir(seeded, to);
    return to;
  };

  beforeAll(async () => {
    const seedUrl = await host.open('seed', 0);
    await query(seedUrl, 'CREATE TABLE t (id int PRIMARY KEY)');
    await query(seedUrl, 'INSERT INTO t SELECT generate_series(1, 500)');
    await host.close('seed');
    seeded = host.volumeDir('seed');
    fs.mkdirSync(sources);
    liveUrl = await host.open('live', 0);
    await query(liveUrl, 'CREATE TABLE old_data (id int)');
  });

  afterAll(async () => {
    await host.closeAll();
    dir.remove();
  });

  const rows = async (url: string) => (await query(url, 'SELECT count(*)::int AS n FROM t')).rows[0].n;
  const hasOldData = async (url: string) =>
    (await query(url, "SELECT to_regclass('old_data') IS NOT NULL AS there")).rows[0].there;

  it('returns the source rows on the same port and leaves the source intact when filling by copy', async () => {
    // Arrange
    const from = source('copy-me');
    const port = host.portOf('live');

    // Act
    await host.replace('live', from, FillMode.Copy);

    // Assert
    expect(host.portOf('live')).toBe(port);
    expect(await rows(liveUrl)).toBe(500);
    expect(fs.existsSync(path.join(from, 'PG_VERSION'))).toBe(true);
    expect(inode(path.join(host.volumeDir('live'), 'PG_VERSION'))).not.toBe(
      inode(path.join(from, 'PG_VERSION')),
    );
    await host.idle();
    expect(fs.readdirSync(host.volumesDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('answers a client that connects during the replace with the new data instead of refusing it', async () => {
    // Arrange
    const from = source('connect-during');
    await query(liveUrl, 'CREATE TABLE IF NOT EXISTS before_replace (id int)');

    // Act: the listener is suspended synchronously, so this client arrives while the data is swapped.
    const replacing = host.replace('live', from, FillMode.Copy);
    const reading = query(
      liveUrl,
      "SELECT count(*)::int AS n, to_regclass('before_replace') IS NULL AS gone FROM t",
    );
    await replacing;

    // Assert
    expect((await reading).rows).toEqual([{ n: 500, gone: true }]);
  });

  it('returns the source rows from the very same files when filling by move, and the source is gone', async () => {
    // Arrange
    const from = source('move-me');
    const before = inode(path.join(from, 'PG_VERSION'));

    // Act
    await host.replace('live', from, FillMode.Move);

    // Assert
    expect(await rows(liveUrl)).toBe(500);
    expect(inode(path.join(host.volumeDir('live'), 'PG_VERSION'))).toBe(before);
    expect(fs.existsSync(from)).toBe(false);
  });

  it('returns the source rows by copying, and removes the source, when a move would cross filesystems', async (ctx) => {
    // Arrange: /dev/shm is tmpfs, so rename() from there into the volumes dir fails with EXDEV.
    if (!fs.existsSync('/dev/shm') || fs.statSync('/dev/shm').dev === fs.statSync(dir.path).dev) {
      ctx.skip();
    }
    const shm = fs.mkdtempSync(path.join('/dev/shm', 'tollgate-volumes-'));
    try {
      const from = source('elsewhere', shm);

      // Act
      await host.replace('live', from, FillMode.Move);

      // Assert
      expect(await rows(liveUrl)).toBe(500);
      expect(fs.existsSync(from)).toBe(false);
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  it('throws InvalidInput and keeps serving the old data when the fill mode is unknown', async () => {
    // Arrange
    await query(liveUrl, 'CREATE TABLE IF NOT EXISTS old_data (id int)');
    const from = source('bad-mode');

    // Act
    const attempt = host.replace('live', from, 'link' as FillMode);

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'Tollgate.InvalidInput',
      message: 'volume "live": fill mode must be "copy" or "move", got "link"',
    });
    expect(await hasOldData(liveUrl)).toBe(true);
    expect(fs.existsSync(path.join(from, 'PG_VERSION'))).toBe(true);
  });

  it('throws NotFound and keeps serving the old data when the source is not a data directory', async () => {
    // Arrange
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-not-pg-'));

    // Act
    const attempt = host.replace('live', empty, FillMode.Move);

    // Assert
    await expect(attempt).rejects.toThrow(`is not a Postgres data directory`);
    expect(await hasOldData(liveUrl)).toBe(true);
    expect(fs.existsSync(empty)).toBe(true);
    fs.rmSync(empty, { recursive: true });
  });

  it('serves the old data again and hands the moved directory back when the new data will not open', async () => {
    // Arrange: PG_VERSION alone passes the check, but PGlite cannot start on it.
    const broken = path.join(sources, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'PG_VERSION'), '17\n');
    const port = host.portOf('live');

    // Act
    const attempt = host.replace('live', broken, FillMode.Move);

    // Assert
    await expect(attempt).rejects.toThrow();
    expect(host.portOf('live')).toBe(port);
    expect(await hasOldData(liveUrl)).toBe(true);
    expect(fs.readdirSync(broken)).toEqual(['PG_VERSION']);
    expect(fs.readdirSync(host.volumesDir).filter((n) => n.startsWith('.old-'))).toEqual([]);
  });

  it('serves the old data again and drops the copy when copied data will not open', async () => {
    // Arrange
    const broken = path.join(sources, 'broken-copy');
    fs.mkdirSync(broken);
    fs.writeFileSync(path.join(broken, 'PG_VERSION'), '17\n');

    // Act
    const attempt = host.replace('live', broken, FillMode.Copy);

    // Assert
    await expect(attempt).rejects.toThrow();
    expect(await hasOldData(liveUrl)).toBe(true);
    await host.idle();
    expect(fs.readdirSync(host.volumesDir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('brings the old volume back when a crash left only its set-aside copy', async () => {
    // Arrange: the state between "live moved to .old-live" and "new data renamed in".
    await host.close('live');
    fs.renameSync(host.volumeDir('live'), path.join(host.volumesDir, '.old-live'));

    // Act
    liveUrl = await host.open('live', 0);

    // Assert
    expect(await hasOldData(liveUrl)).toBe(true);
    expect(fs.existsSync(path.join(host.volumesDir, '.old-live'))).toBe(false);
  });
});

describe('copyDataDir', () => {
  it('throws InvalidInput and writes nothing when the destination already exists', () => {
    // Arrange
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-copy-'));
    fs.mkdirSync(path.join(root, 'from'));
    fs.writeFileSync(path.join(root, 'from', 'PG_VERSION'), '17\n');
    fs.mkdirSync(path.join(root, 'to'));

    // Act
    const attempt = () => copyDataDir(path.join(root, 'from'), path.join(root, 'to'));

    // Assert
    expect(attempt).toThrow(/copy destination .*to already exists/);
    expect(fs.readdirSync(path.join(root, 'to'))).toEqual([]);
    fs.rmSync(root, { recursive: true });
  });

  it('copies every file but postmaster.pid, which describes the process that had the source open', () => {
    // Arrange
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-copy-'));
    const from = path.join(root, 'from');
    fs.mkdirSync(path.join(from, 'base', '5'), { recursive: true });
    fs.writeFileSync(path.join(from, 'PG_VERSION'), '17\n');
    fs.writeFileSync(path.join(from, 'postmaster.pid'), '42\n');
    fs.writeFileSync(path.join(from, 'base', '5', '16384'), Buffer.alloc(70_000, 7));

    // Act
    copyDataDir(from, path.join(root, 'to'));

    // Assert
    const files = fs.readdirSync(path.join(root, 'to'), { recursive: true }).map(String).sort();
    expect(files).toEqual(['PG_VERSION', 'base', path.join('base', '5'), path.join('base', '5', '16384')]);
    expect(fs.readFileSync(path.join(root, 'to', 'base', '5', '16384'))).toEqual(Buffer.alloc(70_000, 7));
    fs.rmSync(root, { recursive: true });
  });
});

describe('VolumeHost sharedBuffers', () => {
  it('returns the configured shared_buffers from a served volume when sharedBuffers is set', async () => {
    // Arrange
    const dir = tempDir('tollgate-volumes-sb-');
    const host = new VolumeHost({ dataDir: dir.path, sharedBuffers: '16MB' });

    // Act
    const url = await host.open('small', 0);
    const setting = (await query(url, "SELECT current_setting('shared_buffers') AS v")).rows[0].v;

    // Assert
    expect(setting).toBe('16MB');
    await host.closeAll();
    dir.remove();
  });

  it('returns 32MB of shared_buffers from a served volume when sharedBuffers is not set', async () => {
    // Arrange
    const dir = tempDir('tollgate-volumes-sb-');
    const host = new VolumeHost({ dataDir: dir.path });

    // Act
    const url = await host.open('default', 0);
    const setting = (await query(url, "SELECT current_setting('shared_buffers') AS v")).rows[0].v;

    // Assert
    expect(setting).toBe('32MB');
    await host.closeAll();
    dir.remove();
  });

  it('throws InvalidInput and creates no volumes dir when sharedBuffers is not a size', () => {
    // Arrange
    const dir = tempDir('tollgate-volumes-sb-');

    // Act
    const attempt = () => new VolumeHost({ dataDir: dir.path, sharedBuffers: '16 MB; DROP' });

    // Assert
    expect(attempt).toThrow(
      'VolumeHost sharedBuffers must look like "32MB" (a number and kB, MB or GB), got "16 MB; DROP"',
    );
    expect(fs.existsSync(path.join(dir.path, 'volumes'))).toBe(false);
    dir.remove();
  });
});
