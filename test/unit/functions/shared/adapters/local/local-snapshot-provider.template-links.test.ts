import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clusterCacheDir,
  fillWithEmptyCluster,
} from '../../../../../../functions/shared/adapters/local/empty-cluster.js';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type { SnapshotRef } from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { tempDir } from '../../../../../support/pglite-server.js';
import { hashTree } from '../../../../../support/volume-tree.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2026-01-02T00:00:00.000Z',
};

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Relative paths of the files under `dir` that share their inode with the same path under `other`. */
function sharedInodes(dir: string, other: string): string[] {
  return Object.keys(hashTree(dir)).filter((rel) => {
    const twin = path.join(other, rel);
    return fs.existsSync(twin) && fs.statSync(twin).ino === fs.statSync(path.join(dir, rel)).ino;
  });
}

describe('LocalSnapshotProvider on volumes made from the empty-cluster template', {
  timeout: 120_000,
}, () => {
  const dirs: Array<{ remove: () => void }> = [];
  const hosts: VolumeHost[] = [];
  afterEach(async () => {
    for (const h of hosts.splice(0)) await h.closeAll();
    for (const d of dirs.splice(0)) d.remove();
  });

  /**
   * `ownCache` for a test that deletes the template. It starts as a copy of the shared cache's
   * template (the same cluster, so the same gens), so only a template made again costs an initdb.
   */
  async function world(options: { ownCache?: boolean } = {}) {
    const data = tempDir('tollgate-template-links-');
    dirs.push(data);
    let cacheDir = clusterCacheDir(); // the tests' shared cache (vitest.config.ts)
    if (options.ownCache) {
      const own = tempDir('tollgate-template-cache-');
      dirs.push(own);
      cacheDir = own.path;
      const shared = await fillWithEmptyCluster(path.join(data.path, 'scratch'), PGlite.defaultStartParams);
      const template = shared!.templateDir;
      fs.cpSync(template, path.join(own.path, path.basename(template)), {
        recursive: true,
        preserveTimestamps: true,
      });
      fs.rmSync(path.join(data.path, 'scratch'), { recursive: true });
    }
    const cache = { path: cacheDir };
    const host = new VolumeHost({ dataDir: data.path, clusterCacheDir: cache.path });
    hosts.push(host);
    const provider = new LocalSnapshotProvider({ dataDir: data.path, host, protectedVolumes: ['prod'] });
    const template = () => {
      const [name] = fs.readdirSync(cache.path).filter((e) => e.endsWith('-empty-cluster'));
      return path.join(cache.path, name!);
    };
    const snapshot = async (key: string) => {
      const op = await provider.startSnapshot({ idempotencyKey: key, source: ['prod'], labels });
      await provider.idle();
      const status = await provider.poll(op);
      expect(status.state).toBe('SUCCEEDED');
      return status.ref as SnapshotRef;
    };
    const cloneInto = async (key: string, snap: SnapshotRef) => {
      const op = await provider.startClone({
        idempotencyKey: key,
        snapshot: snap,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      });
      await provider.idle();
      expect((await provider.poll(op)).state).toBe('SUCCEEDED');
    };
    const snapshotDir = (snap: SnapshotRef) => path.join(data.path, 'snapshots', snap.name, 'prod');
    return { cache: cache.path, host, provider, template, snapshot, cloneInto, snapshotDir };
  }

  it("links a new volume's first snapshot to the template's unchanged files, whose bytes nothing then changes", async () => {
    // Arrange
    const w = await world();
    const prodUrl = await w.host.open('prod', 0);
    const testUrl = await w.host.open('test', 0);
    await query(prodUrl, 'CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)');
    await query(
      prodUrl,
      "INSERT INTO customers SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 300) g",
    );
    const templateBefore = hashTree(w.template());

    // Act
    const snap = await w.snapshot('run-1/Snapshot');
    await w.cloneInto('run-1/Clone', snap);
    await query(testUrl, "UPDATE customers SET email = 'masked'"); // writes through any shared file would show
    await query(testUrl, 'VACUUM FULL'); // rewrites catalogs too
    await w.host.closeAll();

    // Assert
    const linked = sharedInodes(w.snapshotDir(snap), w.template());
    const templateFiles = Object.keys(templateBefore).length;
    expect(linked.length).toBeGreaterThan(templateFiles * 0.8);
    expect(hashTree(w.template())).toEqual(templateBefore);
    expect(sharedInodes(w.host.volumeDir('test'), w.template())).toEqual([]);
    const reopened = await w.host.open('test', 0);
    expect(
      (await query(reopened, "SELECT count(*)::int AS n FROM customers WHERE email = 'masked'")).rows[0].n,
    ).toBe(300);
  });

  it('copies what it would have linked while the template is gone, and never takes one made again by a new initdb for the old one', async () => {
    // Arrange: prod copied from one template, which is then deleted
    const w = await world({ ownCache: true });
    const prodUrl = await w.host.open('prod', 0);
    await query(prodUrl, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)');
    const oldTemplate = w.template();
    const oldControl = fs.readFileSync(path.join(oldTemplate, 'global', 'pg_control'));
    fs.rmSync(oldTemplate, { recursive: true });

    // Act: a snapshot with no template, then one after a new volume made a new template
    const whileGone = await w.snapshot('run-1/Snapshot');
    await w.host.open('other', 0);
    await query(prodUrl, 'INSERT INTO t VALUES (3)');
    const afterNew = await w.snapshot('run-2/Snapshot');

    // Assert
    expect(Object.keys(hashTree(w.snapshotDir(whileGone))).length).toBeGreaterThan(900);
    expect(w.template()).toBe(oldTemplate);
    expect(fs.readFileSync(path.join(w.template(), 'global', 'pg_control')).equals(oldControl)).toBe(false);
    expect(sharedInodes(w.snapshotDir(afterNew), w.template())).toEqual([]);
    await w.cloneInto('run-2/Clone', afterNew);
    const testUrl = await w.host.open('test', 0);
    expect((await query(testUrl, 'SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(3);
  });
});
