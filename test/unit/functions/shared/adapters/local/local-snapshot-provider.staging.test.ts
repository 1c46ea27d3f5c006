import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  OperationRef,
  SnapshotProvider,
  SnapshotRef,
  VolumeSetRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { verifyMasking } from '../../../../../../functions/verify-masking/verify-masking.js';
import { expectLoopAnsweredDuring, timeLongStatement } from '../../../../../support/loop-delay.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2030-01-01T00:00:00.000Z',
};
const REAL = 'ines.duarte@realmail.org';

async function until(provider: SnapshotProvider, op: OperationRef) {
  for (let i = 0; i < 600; i += 1) {
    const status = await provider.poll(op);
    if (status.state !== 'RUNNING') return status;
    await new Promise((r) => setTimeout(r, 50)); // real file copies in the background
  }
  throw new Error(`operation ${op.id} still RUNNING`);
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('LocalSnapshotProvider with staged clones', () => {
  const dir = tempDir('tollgate-staging-');
  const host = new VolumeHost({ dataDir: dir.path });
  let provider: LocalSnapshotProvider;
  let snapshot: SnapshotRef;
  let prodUrl = '';

  const stage = async (key: string): Promise<VolumeSetRef> => {
    const op = await provider.startClone({
      idempotencyKey: key,
      snapshot,
      targets: [{ source: 'prod', target: 'test' }],
      mode: 'overwrite',
      labels,
      stage: true,
    });
    const status = await until(provider, op);
    expect(status.state).toBe('SUCCEEDED');
    return status.ref as VolumeSetRef;
  };

  beforeAll(async () => {
    prodUrl = await host.open('prod', 0);
    const testUrl = await host.open('test', 0);
    await query(
      prodUrl,
      `CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers VALUES (1, '${REAL}')`,
    );
    await query(
      testUrl,
      "CREATE TABLE customers (id int PRIMARY KEY, email text); INSERT INTO customers VALUES (1, 'old@example.invalid')",
    );
    provider = new LocalSnapshotProvider({
      dataDir: dir.path,
      host,
      ports: { test: host.portOf('test')! },
      protectedVolumes: ['prod'],
    });
    snapshot = (
      await until(
        provider,
        await provider.startSnapshot({ idempotencyKey: 'snap', source: ['prod'], labels }),
      )
    ).ref as SnapshotRef;
  }, 60_000);

  afterAll(async () => {
    await provider.close();
    await host.closeAll();
    dir.remove();
  });

  it('serves the old data on the port while the staged clone holds prod rows, reachable only over a private socket', async () => {
    // Arrange
    const clone = await stage('clone-1');
    // Act
    const info = await provider.connection(clone);
    const onPort = await query(host.connectionString('test'), 'SELECT email FROM customers');
    // Assert
    expect(clone.staged).toBe(true);
    expect(onPort.rows).toEqual([{ email: 'old@example.invalid' }]);
    const url = info.kind === 'url' ? info.connectionString : '';
    expect(url).not.toMatch(/127\.0\.0\.1|localhost/);
    const socketDir = decodeURIComponent(new URL(url).hostname);
    expect(fs.statSync(socketDir).mode & 0o777).toBe(0o700);
    expect((await query(url, 'SELECT email FROM customers')).rows).toEqual([{ email: REAL }]);
  });

  it('runs the staged clone in a thread of its own: the event loop answers during a long statement', async () => {
    // Arrange
    const clone = await stage('clone-thread');
    const info = await provider.connection(clone);
    const url = info.kind === 'url' ? info.connectionString : '';
    // Act
    const timing = await timeLongStatement(url);
    // Assert: on the runtime's loop (the old staging area), the loop stood still for the whole statement.
    expectLoopAnsweredDuring(timing);
  });

  it('refuses a connection to the staged clone without the password its URL carries', async () => {
    // Arrange
    const clone = await stage('clone-password');
    const info = await provider.connection(clone);
    const url = new URL(info.kind === 'url' ? info.connectionString : '');
    url.password = 'not-the-password';
    // Act
    const error = await query(url.toString(), 'SELECT 1').catch((e: Error) => e);
    // Assert
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/password authentication failed/);
  });

  it('reports FAILED and keeps serving the old data when publish comes before a clean scan at rest', async () => {
    // Arrange
    const clone = await stage('clone-2');
    // Act
    const status = await until(provider, await provider.startPublish(clone));
    // Assert
    expect(status.state).toBe('FAILED');
    expect(status.reason).toMatch(/has not passed verify-masking at rest; it is not published/);
    expect((await query(host.connectionString('test'), 'SELECT email FROM customers')).rows).toEqual([
      { email: 'old@example.invalid' },
    ]);
  });

  it('throws MaskingFailed naming the file when a value survives masking at rest, and publish still refuses', async () => {
    // Arrange: masked in its table, but an unmasked copy sits in another table's dead row.
    const clone = await stage('clone-3');
    const info = await provider.connection(clone);
    const url = info.kind === 'url' ? info.connectionString : '';
    await query(url, "UPDATE customers SET email = 'user_1@example.invalid'");
    await query(
      url,
      `CREATE TABLE audit (line text); INSERT INTO audit VALUES ('${REAL}'); DELETE FROM audit`,
    );
    // Act
    const error = await verifyMasking({
      connectionString: url,
      sourceConnectionString: prodUrl,
      rules: [{ table: 'customers', column: 'email', rule: 'email' }],
      scanAtRest: (needles) => provider.scanAtRest(clone, needles),
    }).catch((e: Error & { evidence?: unknown[] }) => e);
    const status = await until(provider, await provider.startPublish(clone));
    // Assert
    expect((error as Error).name).toBe('Tollgate.MaskingFailed');
    expect((error as Error).message).toMatch(
      /atRest \* \(1 of 1 sampled source values found in \d+ files .* in base\//,
    );
    expect((error as Error).message).not.toContain(REAL);
    expect(status.state).toBe('FAILED');
  });

  it('throws InvalidInput and starts nothing when stage comes with mode create or a restore, an unstaged clone is scanned, or publish targets prod', async () => {
    // Arrange
    const base = { snapshot, targets: [{ source: 'prod', target: 'test' }], labels, stage: true };
    const unstaged = {
      provider: 'local',
      kind: 'volumes',
      name: 'x',
      mode: 'overwrite',
      volumes: [],
    } as const;
    // Act
    const create = () => provider.startClone({ ...base, idempotencyKey: 'bad-1', mode: 'create' });
    const restore = () =>
      provider.startClone({ ...base, idempotencyKey: 'bad-2', mode: 'overwrite', restore: true });
    const scan = () => provider.scanAtRest(unstaged, ['x@realmail.org']);
    // Assert (one pending rejection at a time)
    await expect(create()).rejects.toThrow(/^stage is for refreshing existing volumes/);
    await expect(restore()).rejects.toThrow(/^stage is for refreshing existing volumes/);
    await expect(scan()).rejects.toThrow(/^scanAtRest needs a staged VolumeSetRef/);
    const ontoProd = {
      ...unstaged,
      staged: true,
      volumes: [{ source: 'prod', target: 'prod', name: 'prod' }],
    };
    await expect(provider.startPublish(ontoProd)).rejects.toThrow(/^volume "prod" is protected/);
    expect(fs.existsSync(path.join(dir.path, 'snapshots', 'ops', 'bad-1.json'))).toBe(false);
  });

  it('never serves a staged clone left by a crash: a restarted provider refuses to publish it and the next refresh discards it', async () => {
    // Arrange
    const abandoned = await stage('clone-4');
    await provider.close();
    provider = new LocalSnapshotProvider({
      dataDir: dir.path,
      host,
      ports: { test: host.portOf('test')! },
      protectedVolumes: ['prod'],
    });
    // Act
    const refused = await until(provider, await provider.startPublish(abandoned));
    await stage('clone-5');
    // Assert
    expect(refused.state).toBe('FAILED');
    expect(fs.existsSync(path.join(dir.path, 'snapshots', 'staging', abandoned.name))).toBe(false);
    expect((await query(host.connectionString('test'), 'SELECT email FROM customers')).rows).toEqual([
      { email: 'old@example.invalid' },
    ]);
  });
});
