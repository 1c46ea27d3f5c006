import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LocalSnapshotProvider,
  SINGLE_USE_LABEL,
} from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  OperationRef,
  SnapshotRef,
  StartCloneRequest,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { tempDir } from '../../../../../support/pglite-server.js';
import { fakeDataDir, hashTree, randomWrites, seededRandom } from '../../../../../support/volume-tree.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:incremental',
  ttl: '2099-01-02T00:00:00.000Z',
};
const CHILD = path.resolve(__dirname, '../../../../../support/refresh-child.ts');

/** The provider on data directories shaped like Postgres' (no PGlite: only the files matter here). */
function world(prefix: string) {
  const dir = tempDir(prefix);
  const host = new VolumeHost({ dataDir: dir.path });
  let provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
  let n = 0;
  const until = async (op: OperationRef) => {
    for (let i = 0; i < 3000; i += 1) {
      const status = await provider.poll(op);
      if (status.state !== 'RUNNING') return status;
      await provider.idle(); // the copy runs in the background; wait for it, not for time
    }
    throw new Error(`operation ${op.id} still RUNNING`);
  };
  const snapshot = async (source: string, singleUse: boolean): Promise<SnapshotRef> => {
    n += 1;
    const status = await until(
      await provider.startSnapshot({
        idempotencyKey: `inc-${n}/Snapshot`,
        source: [source],
        labels: { ...labels, [SINGLE_USE_LABEL]: String(singleUse) },
      }),
    );
    expect(status.state, status.reason).toBe('SUCCEEDED');
    return status.ref as SnapshotRef;
  };
  const cloneRequest = (snap: SnapshotRef, source: string, restore = false): StartCloneRequest => {
    n += 1;
    return {
      idempotencyKey: `inc-${n}/Clone`,
      snapshot: snap,
      targets: [{ source, target: 'test' }],
      mode: 'overwrite',
      labels,
      ...(restore ? { restore: true } : {}),
    };
  };
  const clone = async (snap: SnapshotRef, source: string, restore = false) => {
    const status = await until(await provider.startClone(cloneRequest(snap, source, restore)));
    expect(status.state, status.reason).toBe('SUCCEEDED');
  };
  const remove = async (snap: SnapshotRef) => {
    expect((await until(await provider.startDelete(snap))).state).toBe('SUCCEEDED');
  };
  /** A provider as a restarted Tollgate has it: its journal re-runs what a dead process left. */
  const restart = () => {
    provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
    return provider;
  };
  const inodes = (root: string) =>
    Object.fromEntries(
      Object.keys(hashTree(root)).map((rel) => [rel, fs.statSync(path.join(root, rel)).ino]),
    );
  return {
    dir,
    host,
    snapshot,
    clone,
    cloneRequest,
    until,
    remove,
    restart,
    inodes,
    prodDir: host.volumeDir('prod'),
    testDir: host.volumeDir('test'),
    snapDir: (s: SnapshotRef, v: string) => path.join(dir.path, 'snapshots', s.name, v),
    close: async () => {
      await provider.idle();
      await host.closeAll();
      dir.remove();
    },
  };
}

describe('LocalSnapshotProvider incremental refresh', () => {
  const worlds: Array<{ close: () => Promise<void> }> = [];
  afterAll(async () => {
    for (const w of worlds) await w.close();
  }, 300_000);

  it('returns test byte-identical to each snapshot, and restores exactly the backup, over 9 refreshes with random writes on both sides', async () => {
    // Arrange
    const w = world('tollgate-incremental-');
    worlds.push(w);
    const random = seededRandom(18);
    fakeDataDir(w.prodDir, 200, 24 * 1024, random);
    fakeDataDir(w.testDir, 10, 8192, random);
    const reusable: Array<{ snap: SnapshotRef; hashes: Record<string, string> }> = [];
    const changedPerRound: number[] = [];

    for (let round = 1; round <= 9; round += 1) {
      randomWrites(w.prodDir, random, 6);
      randomWrites(w.testDir, random, 6);
      const testBefore = hashTree(w.testDir);
      const singleUse = round % 3 !== 0;
      const backup = await w.snapshot('test', round % 2 === 0);
      const snap = await w.snapshot('prod', singleUse);
      const prodAtSnapshot = hashTree(w.prodDir);
      if (!singleUse) reusable.push({ snap, hashes: hashTree(w.snapDir(snap, 'prod')) });
      const inodesBefore = w.inodes(w.testDir);

      // Act
      await w.clone(snap, 'prod');

      // Assert
      expect(hashTree(w.testDir), `round ${round}`).toEqual(prodAtSnapshot);
      const after = w.inodes(w.testDir);
      changedPerRound.push(Object.keys(after).filter((rel) => after[rel] !== inodesBefore[rel]).length);
      if (!singleUse) {
        await w.clone(backup, 'test', true);
        expect(hashTree(w.testDir), `restore, round ${round}`).toEqual(testBefore);
        await w.clone(snap, 'prod');
        expect(hashTree(w.testDir), `refresh after restore, round ${round}`).toEqual(prodAtSnapshot);
      }
      if (round > 3) await w.remove(backup);
    }
    // Linked files are shared between snapshots: not one byte of a kept snapshot may have moved.
    for (const { snap, hashes } of reusable) expect(hashTree(w.snapDir(snap, 'prod'))).toEqual(hashes);
    // The first refresh writes everything; later ones only what either side changed (6 writes each,
    // plus files written in the clock tick of the previous snapshot), of 200.
    expect(changedPerRound[0]).toBeGreaterThan(190);
    for (const changed of changedPerRound.slice(1)) expect(changed).toBeLessThanOrEqual(40);
  }, 300_000);

  it('returns test byte-identical to the snapshot when the refresh process is killed at any point and the clone runs again', async () => {
    // Arrange
    const w = world('tollgate-incremental-crash-');
    worlds.push(w);
    const random = seededRandom(1800);
    fakeDataDir(w.prodDir, 400, 64 * 1024, random);
    fakeDataDir(w.testDir, 10, 8192, random);
    const first = await w.snapshot('prod', true);
    await w.clone(first, 'prod');

    for (const [i, killAfterMs] of [0, 40, 120, 250, 500].entries()) {
      randomWrites(w.prodDir, random, 60);
      randomWrites(w.testDir, random, 60);
      const snap = await w.snapshot('prod', i % 2 === 0);
      const expected = hashTree(w.prodDir);
      const testBefore = hashTree(w.testDir);
      const request = w.cloneRequest(snap, 'prod');
      const requestFile = path.join(w.dir.path, `request-${i}.json`);
      fs.writeFileSync(requestFile, JSON.stringify({ kind: 'clone', ...request }));

      // Act
      const output = await runAndKill(w.dir.path, requestFile, killAfterMs);
      w.host.exists('test'); // finishes or rolls back a swap the kill interrupted, as a restart does
      const halfway = hashTree(w.testDir);
      const status = await w.until(await w.restart().startClone(request));

      // Assert
      expect(status.state, `${status.reason} (killed after ${killAfterMs} ms: ${output})`).toBe('SUCCEEDED');
      expect(hashTree(w.testDir), `killed after ${killAfterMs} ms`).toEqual(expected);
      // Between the kill and the re-run, test held its old data or the new, never a mix.
      expect([JSON.stringify(testBefore), JSON.stringify(expected)]).toContain(JSON.stringify(halfway));
    }
  });
  it('returns a backup byte-identical to test when the snapshot test was filled from is replaced on disk by one of the same name with other data', async () => {
    // Arrange
    const w = world('tollgate-incremental-hint-');
    worlds.push(w);
    const random = seededRandom(77);
    fakeDataDir(w.prodDir, 40, 16 * 1024, random);
    fakeDataDir(w.testDir, 5, 8192, random);
    const first = await w.snapshot('prod', false);
    await w.clone(first, 'prod'); // test's manifest now names `first` as where its files' gens are
    // Every relation file changes size: none of the later snapshot's files may stand in for test's.
    for (const rel of Object.keys(hashTree(w.prodDir)).filter((r) => r.startsWith('base/'))) {
      fs.appendFileSync(path.join(w.prodDir, rel), Buffer.alloc(8192, 3));
    }
    const later = await w.snapshot('prod', false);
    const firstDir = path.dirname(w.snapDir(first, 'prod'));
    fs.rmSync(firstDir, { recursive: true });
    fs.renameSync(path.dirname(w.snapDir(later, 'prod')), firstDir);
    const testNow = hashTree(w.testDir);

    // Act
    const backup = await w.snapshot('test', false);

    // Assert
    expect(hashTree(w.snapDir(backup, 'test'))).toEqual(testNow);
  });

  it('returns test byte-identical to the snapshot and answering with prod rows over refreshes with SQL writes to real PGlite volumes on both sides', async () => {
    // Arrange
    const w = world('tollgate-incremental-pglite-');
    worlds.push(w);
    const prodUrl = await w.host.open('prod', 0);
    await sql(prodUrl, 'CREATE TABLE keep (id int PRIMARY KEY, v text)');
    await sql(prodUrl, "INSERT INTO keep SELECT g, repeat('k', 200) FROM generate_series(1, 2000) g");
    await w.host.open('test', 0);
    await w.host.close('test');
    const writes = [
      "CREATE TABLE grows (id int PRIMARY KEY, v text); INSERT INTO grows SELECT g, repeat('g', 300) FROM generate_series(1, 1000) g",
      "INSERT INTO grows SELECT g, repeat('h', 300) FROM generate_series(1001, 3000) g; UPDATE keep SET v = 'x' WHERE id % 50 = 0",
      'DELETE FROM grows WHERE id > 100; VACUUM FULL grows; CREATE TABLE later (id int)',
      'DROP TABLE grows; TRUNCATE later',
    ];

    for (const [round, write] of writes.entries()) {
      for (const statement of write.split('; ')) await sql(prodUrl, statement);
      const testUrl = await w.host.open('test', 0);
      await sql(
        testUrl,
        `CREATE TABLE IF NOT EXISTS scratch (id int); INSERT INTO scratch VALUES (${round})`,
      );
      await w.host.close('test');
      const snap = await w.snapshot('prod', false);
      const expectedTables = await tableList(prodUrl);

      // Act
      await w.clone(snap, 'prod');

      // Assert
      expect(hashTree(w.testDir), `round ${round}`).toEqual(hashTree(w.snapDir(snap, 'prod')));
      const refreshed = await w.host.open('test', 0);
      expect(await tableList(refreshed)).toEqual(expectedTables);
      expect((await sql(refreshed, 'SELECT count(*)::int AS n FROM keep')).rows[0].n).toBe(2000);
      await w.host.close('test');
    }
  }, 300_000);
});

async function sql(connectionString: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

async function tableList(url: string): Promise<string[]> {
  const { rows } = await sql(
    url,
    "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1",
  );
  return rows.map((r) => r.relname as string);
}

/** Starts the clone in a child and SIGKILLs it `ms` after it started the operation (or lets it finish). */
function runAndKill(dataDir: string, requestFile: string, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, requestFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('started') && !timer) timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve(out.trim().split('\n').pop() ?? '');
    });
  });
}
