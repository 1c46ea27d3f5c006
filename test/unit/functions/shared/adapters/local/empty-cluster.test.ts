import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterCacheDir,
  fillWithEmptyCluster,
} from '../../../../../../functions/shared/adapters/local/empty-cluster.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { sql, tempDir } from '../../../../../support/pglite-server.js';

const START = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];
const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});
function scratch(): string {
  const dir = tempDir('tollgate-empty-cluster-');
  dirs.push(dir);
  return dir.path;
}
function templateOf(cacheDir: string): string {
  const [name] = fs.readdirSync(cacheDir).filter((entry) => entry.endsWith('-empty-cluster'));
  return path.join(cacheDir, name!);
}
function modes(root: string): Set<string> {
  const seen = new Set<string>();
  const walk = (dir: string) => {
    seen.add(`dir ${(fs.statSync(dir).mode & 0o777).toString(8)}`);
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else seen.add(`file ${(fs.statSync(full).mode & 0o777).toString(8)}`);
    }
  };
  walk(root);
  return seen;
}

describe('fillWithEmptyCluster', { timeout: 120_000 }, () => {
  it('fills a missing directory with a private cluster PGlite starts and queries, made once per cache and copied after', async () => {
    // Arrange
    const cache = scratch();
    const work = scratch();
    expect(await fillWithEmptyCluster(path.join(work, 'a'), START, { cacheDir: cache })).toBeDefined();
    // A mark in the template shows whether the next fill copies it or runs initdb again.
    fs.writeFileSync(path.join(templateOf(cache), 'tollgate-mark'), 'from the template\n');

    // Act
    const filled = await fillWithEmptyCluster(path.join(work, 'b'), START, { cacheDir: cache });
    const copiedModes = modes(path.join(work, 'b'));
    const db = await PGlite.create({ dataDir: path.join(work, 'b'), startParams: START });
    const rows = await db.query<{ n: number }>('SELECT 41 + 1 AS n');
    await db.close();

    // Assert
    expect(filled?.templateDir).toBe(templateOf(cache));
    expect(rows.rows).toEqual([{ n: 42 }]);
    expect(fs.readFileSync(path.join(work, 'b', 'tollgate-mark'), 'utf8')).toBe('from the template\n');
    expect(fs.existsSync(path.join(work, 'a', 'tollgate-mark'))).toBe(false);
    expect(copiedModes).toEqual(new Set(['dir 700', 'file 600']));
    expect(fs.readdirSync(work).sort()).toEqual(['a', 'b']); // no staging directory left behind
  });

  it('gives two fills racing on an empty cache one template and two working clusters', async () => {
    // Arrange
    const cache = scratch();
    const work = scratch();

    // Act
    const results = await Promise.all(
      ['x', 'y'].map((name) => fillWithEmptyCluster(path.join(work, name), START, { cacheDir: cache })),
    );

    // Assert
    expect(results.map((r) => r?.files)).toEqual([results[0]?.files, results[0]?.files]);
    expect(fs.readdirSync(cache).filter((e) => !e.startsWith('.'))).toHaveLength(1);
    expect(fs.readdirSync(cache).filter((e) => e.startsWith('.building-'))).toEqual([]);
    for (const name of ['x', 'y']) expect(fs.existsSync(path.join(work, name, 'PG_VERSION'))).toBe(true);
  });

  it('does nothing and says so when the cache directory cannot be made, so the caller runs initdb', async () => {
    // Arrange: a file where the cache's parent directory should be (fails even for root)
    const work = scratch();
    const blocker = path.join(work, 'not-a-dir');
    fs.writeFileSync(blocker, '');

    // Act
    const filled = await fillWithEmptyCluster(path.join(work, 'v'), START, {
      cacheDir: path.join(blocker, 'cache'),
    });

    // Assert
    expect(filled).toBeUndefined();
    expect(fs.existsSync(path.join(work, 'v'))).toBe(false);
  });
});

describe('VolumeHost on a new volume', { timeout: 120_000 }, () => {
  it('serves a volume made from the cached cluster, in a data dir of its own', async () => {
    // Arrange
    const cache = scratch();
    const first = new VolumeHost({ dataDir: scratch(), clusterCacheDir: cache });
    await first.open('test', 0);
    await first.closeAll();
    fs.writeFileSync(path.join(templateOf(cache), 'tollgate-mark'), 'copied\n');
    const host = new VolumeHost({ dataDir: scratch(), clusterCacheDir: cache });

    // Act
    const url = await host.open('staging', 0);
    await sql(url, 'CREATE TABLE t (id int); INSERT INTO t VALUES (7)');
    const rows = await sql(url, 'SELECT id FROM t');
    await host.closeAll();

    // Assert
    expect(rows).toEqual([{ id: 7 }]);
    expect(fs.existsSync(path.join(host.volumeDir('staging'), 'tollgate-mark'))).toBe(true);
  });
});

describe('clusterCacheDir', () => {
  it('takes TOLLGATE_CACHE_DIR first, then XDG_CACHE_HOME, then ~/.cache', () => {
    expect(clusterCacheDir({ TOLLGATE_CACHE_DIR: '/c/t', XDG_CACHE_HOME: '/x' })).toBe('/c/t');
    expect(clusterCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/tollgate');
    expect(clusterCacheDir({})).toMatch(/\.cache\/tollgate$/);
  });
});
