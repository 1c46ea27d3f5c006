import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MigrationSafetyInput } from '../../../../functions/migration-safety/input.js';
import { migrationSafety } from '../../../../functions/migration-safety/migration-safety.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { LocalSnapshotProvider } from '../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { OperationRef, SnapshotRef } from '../../../../functions/shared/ports/snapshot-provider.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { sql } from '../../../support/pglite-server.js';

const RUN = 'arn:aws:states:local:0:execution:tollgate:checkpoint';

describe('migration-safety checkpoint', () => {
  let dir = '';
  let host: VolumeHost;
  let url = '';
  let release: ReleaseRef;
  let ports: Parameters<typeof migrationSafety>[1] & { ledger: DirLedger; snapshots: LocalSnapshotProvider };

  const input = (action: MigrationSafetyInput['action'], extra: Partial<MigrationSafetyInput> = {}) =>
    ({
      executionArn: RUN,
      stateName: `S-${action}`,
      pipeline: 'orders',
      environment: 'prod',
      action,
      release,
      ...extra,
    }) as MigrationSafetyInput;
  const deps = { sleep: async () => undefined, connection: async () => url };

  async function settle(operation: OperationRef) {
    for (let i = 0; i < 600; i += 1) {
      const status = await ports.snapshots.poll(operation);
      if (status.state !== 'RUNNING') return status;
      await new Promise((r) => setTimeout(r, 20)); // a real copy runs in the background
    }
    throw new Error(`${operation.id} still RUNNING`);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoint-'));
    const dataDir = join(dir, '.tollgate');
    host = new VolumeHost({ dataDir });
    url = await host.open('prod', 0);
    const config = parseConfig({
      name: 'orders',
      source: { repository: 'orders' },
      build: { command: 'true', artifact: 'dist/release.tgz' },
      database: { engine: 'postgres', source: 'prod' },
      environments: [
        { name: 'prod', deploy: { type: 'process', command: 'node s.mjs', port: 40003 }, database: {} },
      ],
    });
    const artifacts = new DirArtifactStore(join(dir, 'artifacts'));
    const p = pack();
    p.entry({ name: 'migrations/0001_orders.sql' }, 'CREATE TABLE orders (id int PRIMARY KEY, note text)');
    p.entry({ name: 'migrations/0002_drop_note.sql' }, 'ALTER TABLE orders DROP COLUMN note');
    p.finalize();
    const chunks: Buffer[] = [];
    for await (const chunk of p) chunks.push(chunk as Buffer);
    const { key, digest } = await artifacts.ingest(Readable.from([gzipSync(Buffer.concat(chunks))]));
    release = { version: 'r2-bbbbbbb', digest, artifactKey: key, commit: 'b'.repeat(40) };
    ports = {
      config,
      clock: systemClock,
      artifacts,
      trials: undefined as never,
      ledger: new DirLedger(join(dir, 'ledger')),
      snapshots: new LocalSnapshotProvider({ dataDir, host, protectedVolumes: ['prod'] }),
    };
    // prod has applied 0001 (as migrate-database records it) and holds an order
    await sql(url, 'CREATE TABLE orders (id int PRIMARY KEY, note text)');
    await sql(url, 'CREATE TABLE tollgate_migrations (version integer PRIMARY KEY, name text)');
    await sql(url, "INSERT INTO tollgate_migrations VALUES (1, '0001_orders')");
    await sql(url, "INSERT INTO orders VALUES (1, 'leave at the door')");
  }, 180_000);
  afterAll(async () => {
    await host.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('plans a checkpoint for pending migrations in prod, records it with its provenance, and the checkpoint restores prod', async () => {
    // Act: the pipeline's steps, as the ASL runs them
    const plan = (await migrationSafety(input('plan'), ports, deps)) as {
      pending: string[];
      breaking: string[];
    };
    const started = (await migrationSafety(input('checkpoint', { plan }), ports, deps)) as {
      operation: OperationRef;
      txid: string;
    };
    const done = await settle(started.operation);
    const recorded = await migrationSafety(
      input('record-checkpoint', { plan, snapshot: done.ref as SnapshotRef, txid: started.txid }),
      ports,
      deps,
    );
    await sql(url, 'ALTER TABLE orders DROP COLUMN note'); // the migration

    // Assert: planned and recorded
    expect(plan).toEqual({
      pending: ['0002_drop_note'],
      breaking: [],
      checkpoint: true,
      breakingNotInRelease: [],
    });
    expect(done.state).toBe('SUCCEEDED');
    expect(recorded).toMatchObject({ snapshot: done.ref, txid: started.txid });
    const [entry] = await ports.ledger.query({ kinds: ['migration-checkpoint'] });
    expect(entry).toMatchObject({
      pipeline: 'orders',
      environment: 'prod',
      releaseVersion: release.version,
      executionArn: RUN,
      actor: 'tollgate',
      data: { snapshot: done.ref, provider: 'local', pending: ['0002_drop_note'], txid: started.txid },
    });

    // Act: put prod back from its own checkpoint (the protected source accepts only this restore)
    const restore = await ports.snapshots.startClone({
      idempotencyKey: `${RUN}/restore`,
      snapshot: done.ref as SnapshotRef,
      targets: [{ source: 'prod', target: 'prod' }],
      mode: 'overwrite',
      restore: true,
      labels: { pipeline: 'orders', run: RUN, ttl: '2099-01-01T00:00:00.000Z' },
    });
    expect((await settle(restore)).state).toBe('SUCCEEDED');

    // Assert: the dropped column and its data are back
    expect(await sql(url, 'SELECT note FROM orders')).toEqual([{ note: 'leave at the door' }]);
  });

  it('plans no checkpoint when nothing is pending', async () => {
    // Arrange
    await sql(url, "INSERT INTO tollgate_migrations VALUES (2, '0002_drop_note')");

    // Act
    const plan = await migrationSafety(input('plan'), ports, deps);

    // Assert
    expect(plan).toMatchObject({ pending: [], checkpoint: false });
  });
});
