import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LocalSnapshotProvider,
  SINGLE_USE_LABEL,
} from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  OperationRef,
  OperationStatus,
  SnapshotRef,
  VolumeSetRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:single',
  ttl: '2026-01-02T00:00:00.000Z',
};
const once = { ...labels, [SINGLE_USE_LABEL]: 'true' };

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('LocalSnapshotProvider with single-use snapshots', () => {
  const dir = tempDir('tollgate-single-use-');
  const host = new VolumeHost({ dataDir: dir.path });
  const provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
  const snapshotsDir = path.join(dir.path, 'snapshots');
  let prodUrl = '';
  let testUrl = '';
  let run = 0;

  async function until(op: OperationRef, p: LocalSnapshotProvider = provider): Promise<OperationStatus> {
    for (let i = 0; i < 600; i += 1) {
      const status = await p.poll(op);
      if (status.state !== 'RUNNING') return status;
      await new Promise((r) => setTimeout(r, 20)); // a real copy runs in the background
    }
    throw new Error(`operation ${op.id} still RUNNING`);
  }

  async function snapshot(snapLabels: Record<string, string>): Promise<SnapshotRef> {
    run += 1;
    const op = await provider.startSnapshot({
      idempotencyKey: `single-${run}/Snapshot`,
      source: ['prod'],
      labels: snapLabels as typeof labels,
    });
    const status = await until(op);
    expect(status.state, status.reason).toBe('SUCCEEDED');
    return status.ref as SnapshotRef;
  }

  function cloneOp(snap: SnapshotRef, targets: Array<{ source: string; target: string }>, key: string) {
    return provider.startClone({ idempotencyKey: key, snapshot: snap, targets, mode: 'overwrite', labels });
  }

  const count = async (url: string) =>
    (await query(url, 'SELECT count(*)::int AS n FROM customers')).rows[0].n as number;
  const versionFile = (volumeDir: string) => path.join(volumeDir, 'PG_VERSION');
  const onlyHeldBy = (dir: string) =>
    fs
      .readdirSync(path.join(dir, 'base'), { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && fs.statSync(path.join(e.parentPath, e.name)).nlink === 1)
      .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))[0]!;

  beforeAll(async () => {
    prodUrl = await host.open('prod', 0);
    testUrl = await host.open('test', 0);
    await query(prodUrl, 'CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)');
    await query(
      prodUrl,
      "INSERT INTO customers SELECT g, 'u' || g || '@example.com' FROM generate_series(1, 300) g",
    );
  });

  afterAll(async () => {
    await provider.idle();
    await host.closeAll();
    dir.remove();
  });

  it('returns prod rows in test from the snapshot files themselves when the snapshot is single-use', async () => {
    // Arrange
    const snap = await snapshot(once);
    // A file only this snapshot holds (prod wrote it): files prod still has as copied from the
    // empty-cluster template are linked, and test keeps its own copies of those.
    const snapDir = path.join(snapshotsDir, snap.name, 'prod');
    const rel = onlyHeldBy(snapDir);
    const snapFile = path.join(snapDir, rel);
    const snapInode = fs.statSync(snapFile).ino;

    // Act
    const status = await until(
      await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/Clone`),
    );

    // Assert
    expect(status.state, status.reason).toBe('SUCCEEDED');
    expect(await count(testUrl)).toBe(300);
    expect(fs.statSync(path.join(host.volumeDir('test'), rel)).ino).toBe(snapInode);
    expect(fs.existsSync(snapFile)).toBe(false);
    const listed = await provider.list({ run: labels.run });
    expect(listed.find((r) => r.ref.name === snap.name)?.labels).toEqual(once);
  });

  it('reports FAILED naming the first clone, and leaves the target alone, when a consumed snapshot is cloned again', async () => {
    // Arrange
    const snap = await snapshot(once);
    const first = await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/Clone`);
    await until(first);
    await query(testUrl, 'CREATE TABLE after_first (id int)');

    // Act
    const status = await until(
      await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/Again`),
    );

    // Assert
    expect(status).toEqual({
      state: 'FAILED',
      reason: `Tollgate.NotFound: snapshot "${snap.name}" was single-use and clone "${(first.resource as VolumeSetRef).name}" already moved its data; take a new snapshot`,
    });
    expect((await query(testUrl, "SELECT to_regclass('after_first') AS t")).rows[0].t).toBe('after_first');
  });

  it('returns SUCCEEDED with the moved data served when a crash interrupted the clone after the move', async () => {
    // Arrange: the journal of a process killed after the rename but before it recorded success.
    const snap = await snapshot(once);
    const op = await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/Clone`);
    await until(op);
    fs.rmSync(path.join(snapshotsDir, 'clones', `${op.resource.name}.json`));
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const opFile = path.join(snapshotsDir, 'ops', `${op.id}.json`);
    const record = JSON.parse(fs.readFileSync(opFile, 'utf8'));
    fs.writeFileSync(opFile, JSON.stringify({ ...record, state: 'RUNNING', ref: undefined, pid: deadPid }));
    const restarted = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });

    // Act
    const status = await until(op, restarted);

    // Assert
    expect(status.state, status.reason).toBe('SUCCEEDED');
    expect(await count(testUrl)).toBe(300);
    expect(fs.existsSync(path.join(snapshotsDir, 'clones', `${op.resource.name}.json`))).toBe(true);
    await restarted.idle();
  });

  it('copies to the earlier target and leaves what the last one already holds when one single-use source feeds two targets', async () => {
    // Arrange
    const snap = await snapshot(once);
    const snapInode = fs.statSync(versionFile(path.join(snapshotsDir, snap.name, 'prod'))).ino;
    const extraUrl = await host.open('extra', 0);
    const targets = [
      { source: 'prod', target: 'extra' },
      { source: 'prod', target: 'test' },
    ];

    // Act
    const status = await until(await cloneOp(snap, targets, `single-${run}/Clone`));

    // Assert
    expect(status.state, status.reason).toBe('SUCCEEDED');
    expect(await count(extraUrl)).toBe(300);
    expect(await count(testUrl)).toBe(300);
    expect(fs.statSync(versionFile(host.volumeDir('extra'))).ino).not.toBe(snapInode);
    // test already held PG_VERSION as the snapshot has it (same gen, untouched): kept, not moved.
    expect(fs.statSync(versionFile(host.volumeDir('test'))).ino).not.toBe(snapInode);
    expect(fs.existsSync(versionFile(path.join(snapshotsDir, snap.name, 'prod')))).toBe(true);
    await host.close('extra');
  });

  it('copies and keeps the snapshot reusable when it is not single-use', async () => {
    // Arrange
    const snap = await snapshot({ ...labels, [SINGLE_USE_LABEL]: 'false' });
    const snapFile = versionFile(path.join(snapshotsDir, snap.name, 'prod'));

    // Act
    const first = await until(await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/One`));
    const second = await until(
      await cloneOp(snap, [{ source: 'prod', target: 'test' }], `single-${run}/Two`),
    );

    // Assert
    expect([first.state, second.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(fs.statSync(versionFile(host.volumeDir('test'))).ino).not.toBe(fs.statSync(snapFile).ino);
    expect(await count(testUrl)).toBe(300);
  });

  it('throws InvalidInput and starts nothing when the single-use label is neither "true" nor "false"', async () => {
    // Arrange
    const before = fs.readdirSync(path.join(snapshotsDir, 'ops')).length;

    // Act
    const attempt = provider.startSnapshot({
      idempotencyKey: 'single-bad/Snapshot',
      source: ['prod'],
      labels: { ...labels, [SINGLE_USE_LABEL]: 'yes' },
    });

    // Assert
    await expect(attempt).rejects.toMatchObject({
      name: 'Tollgate.InvalidInput',
      message: 'labels.single-use must be "true" or "false", got "yes"',
    });
    expect(fs.readdirSync(path.join(snapshotsDir, 'ops'))).toHaveLength(before);
  });
});
