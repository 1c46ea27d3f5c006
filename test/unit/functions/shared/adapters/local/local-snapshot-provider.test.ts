import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  OperationRef,
  OperationStatus,
  SnapshotProvider,
  SnapshotRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2026-01-02T00:00:00.000Z',
};

async function until(provider: SnapshotProvider, op: OperationRef): Promise<OperationStatus> {
  for (let i = 0; i < 600; i += 1) {
    const status = await provider.poll(op);
    if (status.state !== 'RUNNING') return status;
    await new Promise((r) => setTimeout(r, 50)); // real file copies in the background
  }
  throw new Error(`operation ${op.id} still RUNNING`);
}

async function query(connectionString: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('LocalSnapshotProvider', () => {
  const dir = tempDir('tollgate-local-snap-');
  const host = new VolumeHost({ dataDir: dir.path });
  const provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
  let prodUrl = '';
  let testUrl = '';

  beforeAll(async () => {
    prodUrl = await host.open('prod', 0);
    testUrl = await host.open('test', 0);
    await query(prodUrl, 'CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)');
    await query(
      prodUrl,
      "INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 500) g",
    );
    await query(testUrl, 'CREATE TABLE leftover (id int)');
  });

  afterAll(async () => {
    await provider.idle();
    await host.closeAll();
    dir.remove();
  });

  it('returns prod rows through the test port after snapshot then overwrite, and prod changes stay out of test', async () => {
    // Arrange
    const testPort = host.portOf('test');

    // Act
    const snapOp = await provider.startSnapshot({
      idempotencyKey: 'run-1/Snapshot',
      source: ['prod'],
      labels,
    });
    const snap = await until(provider, snapOp);
    const cloneOp = await provider.startClone({
      idempotencyKey: 'run-1/Clone',
      snapshot: snap.ref as SnapshotRef,
      targets: [{ source: 'prod', target: 'test' }],
      mode: 'overwrite',
      labels,
    });
    const clone = await until(provider, cloneOp);
    await query(prodUrl, 'DELETE FROM customers WHERE id > 10');

    // Assert
    expect(snap.state).toBe('SUCCEEDED');
    expect(clone.state).toBe('SUCCEEDED');
    expect(host.portOf('test')).toBe(testPort);
    const conn = await provider.connection('test');
    expect(conn).toEqual({ kind: 'url', connectionString: testUrl });
    expect((await query(testUrl, 'SELECT count(*)::int AS n FROM customers')).rows[0].n).toBe(500);
    expect((await query(testUrl, "SELECT to_regclass('leftover') AS t")).rows[0].t).toBeNull();
    expect((await query(prodUrl, 'SELECT count(*)::int AS n FROM customers')).rows[0].n).toBe(10);
    expect(
      JSON.parse(
        fs.readFileSync(path.join(dir.path, 'snapshots', snapOp.resource.name, 'labels.json'), 'utf8'),
      ),
    ).toEqual(labels);
  });

  it('returns a snapshot of committed rows only when a client holds an open transaction during the copy', async () => {
    // Arrange
    const client = new pg.Client({ connectionString: prodUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query("INSERT INTO customers VALUES (9999, 'uncommitted@example.com')");

    // Act
    const snap = await until(
      provider,
      await provider.startSnapshot({ idempotencyKey: 'run-2/Snapshot', source: ['prod'], labels }),
    );
    await client.query('COMMIT');
    await client.end();
    await until(
      provider,
      await provider.startClone({
        idempotencyKey: 'run-2/Clone',
        snapshot: snap.ref as SnapshotRef,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      }),
    );

    // Assert
    const rows = (await query(testUrl, 'SELECT count(*)::int AS n, max(id) AS top FROM customers')).rows[0];
    expect(rows.n).toBe(10);
    expect(rows.top).toBe(10);
  });

  it('refuses a second VolumeHost on the same data directory naming the holder pid', async () => {
    // Arrange
    const second = new VolumeHost({ dataDir: dir.path });

    // Act
    const attempt = second.open('prod', 0);

    // Assert
    await expect(attempt).rejects.toThrow(new RegExp(`volume "prod" is locked by pid ${process.pid}`));
    expect((await query(prodUrl, 'SELECT 1 AS ok')).rows[0].ok).toBe(1);
  });

  it('refuses a second process opening a locked volume and names this process', async () => {
    // Arrange
    const script = `
      import { VolumeHost } from ${JSON.stringify(path.resolve('functions/shared/adapters/local/pglite-volumes.ts'))};
      try { await new VolumeHost({ dataDir: ${JSON.stringify(dir.path)} }).open('test', 0); console.log('opened'); }
      catch (e) { console.log(e.name + ': ' + e.message); }`;

    // Act
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: process.cwd(),
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((resolve) => child.on('exit', resolve));

    // Assert
    expect(out.trim()).toMatch(
      new RegExp(`Tollgate.LockConflict: volume "test" is locked by pid ${process.pid} `),
    );
  });

  it('returns the same snapshot and no second copy when the same key is started twice', async () => {
    // Arrange
    const request = { idempotencyKey: 'run-3/Snapshot', source: ['prod'], labels };

    // Act
    const first = await provider.startSnapshot(request);
    await until(provider, first);
    const second = await provider.startSnapshot(request);
    const status = await until(provider, second);

    // Assert
    expect(second).toEqual(first);
    expect(status.ref).toEqual(first.resource);
    const names = fs.readdirSync(path.join(dir.path, 'snapshots')).filter((n) => n.startsWith('snap-'));
    expect(names.filter((n) => n === first.resource.name)).toHaveLength(1);
  });

  it('re-runs an operation interrupted by a crash when a new process polls it', async () => {
    // Arrange: the journal entry and half-written copy a kill -9 leaves behind.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const first = await provider.startSnapshot({
      idempotencyKey: 'run-4/Snapshot',
      source: ['prod'],
      labels,
    });
    await until(provider, first);
    const snapDir = path.join(dir.path, 'snapshots', first.resource.name);
    fs.rmSync(snapDir, { recursive: true });
    fs.mkdirSync(path.join(dir.path, 'snapshots', `.tmp-${first.resource.name}`, 'prod'), {
      recursive: true,
    });
    const opFile = path.join(dir.path, 'snapshots', 'ops', `${first.id}.json`);
    const record = JSON.parse(fs.readFileSync(opFile, 'utf8'));
    fs.writeFileSync(opFile, JSON.stringify({ ...record, state: 'RUNNING', ref: undefined, pid: deadPid }));
    const restarted = new LocalSnapshotProvider({ dataDir: dir.path, host });

    // Act
    const status = await until(restarted, first);

    // Assert
    expect(status.state).toBe('SUCCEEDED');
    expect(fs.existsSync(path.join(snapDir, 'prod', 'PG_VERSION'))).toBe(true);
    expect(fs.existsSync(path.join(dir.path, 'snapshots', `.tmp-${first.resource.name}`))).toBe(false);
    await restarted.idle();
  });

  it('throws InvalidInput and starts nothing when a clone targets the protected source volume', async () => {
    // Arrange
    const snap = await until(
      provider,
      await provider.startSnapshot({ idempotencyKey: 'run-5/Snapshot', source: ['prod'], labels }),
    );
    const before = fs.readdirSync(path.join(dir.path, 'snapshots', 'ops')).length;
    const guarded = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['test'] });

    // Act
    const attempt = guarded.startClone({
      idempotencyKey: 'run-5/Clone',
      snapshot: snap.ref as SnapshotRef,
      targets: [{ source: 'prod', target: 'test' }],
      mode: 'overwrite',
      labels,
    });

    // Assert
    await expect(attempt).rejects.toThrow('volume "test" is protected (the refresh source)');
    expect(fs.readdirSync(path.join(dir.path, 'snapshots', 'ops'))).toHaveLength(before);
  });

  it('reports FAILED with a reason when the snapshot was deleted before the clone ran', async () => {
    // Arrange
    const snap = await until(
      provider,
      await provider.startSnapshot({ idempotencyKey: 'run-6/Snapshot', source: ['prod'], labels }),
    );
    await until(provider, await provider.startDelete(snap.ref as SnapshotRef));

    // Act
    const status = await until(
      provider,
      await provider.startClone({
        idempotencyKey: 'run-6/Clone',
        snapshot: snap.ref as SnapshotRef,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      }),
    );

    // Assert
    expect(status).toEqual({
      state: 'FAILED',
      reason: expect.stringContaining('Tollgate.NotFound: snapshot'),
    });
  });
});
