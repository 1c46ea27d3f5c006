import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDataDir } from '../../../../../../functions/shared/adapters/local/file-copy.js';
import { FillMode, VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { PrivateNodeFS } from '../../../../../../functions/shared/adapters/local/private-node-fs.js';
import { tempDir } from '../../../../../support/pglite-server.js';

/** Every mode under `root` (root included) that is not 0700 for a directory or 0600 for a file. */
function notPrivate(root: string): string[] {
  const out: string[] = [];
  const check = (p: string) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink()) return;
    const mode = st.mode & 0o777;
    if (mode !== (st.isDirectory() ? 0o700 : 0o600))
      out.push(`${mode.toString(8)} ${path.relative(root, p)}`);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) check(path.join(p, e));
  };
  check(root);
  return out;
}

/** What the volumes looked like before: initdb's 0666 files in 0755 directories. */
function makeWorldAccessible(root: string): void {
  execFileSync('chmod', ['-R', 'a+rwX', root]);
  execFileSync('chmod', ['-R', 'go-w', root]);
  execFileSync('find', [root, '-type', 'f', '-exec', 'chmod', '0666', '{}', '+']);
}

async function run(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('PrivateNodeFS', () => {
  it('writes a new cluster owner-only although initdb chmods its files 0666', async () => {
    // Arrange
    const dir = tempDir('tollgate-private-nodefs-');
    const data = path.join(dir.path, 'data');
    // Act
    const db = await PGlite.create({ fs: new PrivateNodeFS(data) });
    await db.exec('CREATE TABLE t (id int PRIMARY KEY); CHECKPOINT');
    await db.close();
    // Assert
    try {
      expect(notPrivate(data)).toEqual([]);
    } finally {
      dir.remove();
    }
  });
});

describe('VolumeHost privacy', () => {
  const dir = tempDir('tollgate-private-volumes-');
  const host = new VolumeHost({ dataDir: dir.path });
  let url = '';

  beforeAll(async () => {
    url = await host.open('prod', 0);
  });

  afterAll(async () => {
    await host.closeAll();
    dir.remove();
  });

  it('creates a new volume owner-only: 0700 directories, 0600 files', () => {
    // Assert
    expect(fs.statSync(host.volumesDir).mode & 0o777).toBe(0o700);
    expect(notPrivate(host.volumeDir('prod'))).toEqual([]);
  });

  it('keeps files Postgres creates while serving owner-only', async () => {
    // Act: new relation files, their indexes, and a rewritten relcache init file
    await run(
      url,
      'CREATE TABLE customers (id int PRIMARY KEY, email text); CREATE INDEX ON customers (email)',
    );
    await run(url, "INSERT INTO customers SELECT g, 'x' || g FROM generate_series(1, 2000) g");
    await run(url, 'VACUUM');
    await run(url, 'CHECKPOINT');
    // Assert
    expect(notPrivate(host.volumeDir('prod'))).toEqual([]);
  });

  it('fixes an existing world-readable volume when it is opened', async () => {
    // Arrange
    await host.close('prod');
    makeWorldAccessible(host.volumeDir('prod'));
    expect(notPrivate(host.volumeDir('prod')).length).toBeGreaterThan(900);
    // Act
    url = await host.open('prod', 0);
    // Assert
    expect(notPrivate(host.volumeDir('prod'))).toEqual([]);
  });

  it.each([FillMode.Copy, FillMode.Move])(
    'leaves the volume owner-only after a replace by %s',
    async (mode) => {
      // Arrange: a world-readable data directory, as a snapshot made by an older copy was
      const from = path.join(dir.path, `from-${mode}`);
      await host.withQuiesced(['prod'], (dirs) => copyDataDir(dirs.prod!, from));
      makeWorldAccessible(from);
      // Act
      await host.replace('prod', from, mode);
      // Assert
      expect(notPrivate(host.volumeDir('prod'))).toEqual([]);
    },
  );

  it('makes a copied data directory owner-only', async () => {
    // Arrange
    const to = path.join(dir.path, 'copy');
    // Act
    await host.withQuiesced(['prod'], (dirs) => copyDataDir(dirs.prod!, to));
    // Assert
    expect(notPrivate(to)).toEqual([]);
  });

  it('serves a connection string with the password, and refuses the same URL without it', async () => {
    // Arrange
    const served = host.connectionString('prod');
    const withoutPassword = new URL(served);
    withoutPassword.password = 'guessed';
    // Act
    const refused = await run(withoutPassword.toString(), 'SELECT 1').then(
      () => undefined,
      (e: { code?: string }) => e.code,
    );
    // Assert
    expect(new URL(served).password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await expect(run(served, 'SELECT 1')).resolves.toBeUndefined();
    expect(refused).toBe('28P01');
  });
});
