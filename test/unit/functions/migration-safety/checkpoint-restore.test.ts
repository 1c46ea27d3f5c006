import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { RDSClient } from '@aws-sdk/client-rds';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationSafetyInputSchema } from '../../../../functions/migration-safety/input.js';
import { migrationSafety } from '../../../../functions/migration-safety/migration-safety.js';
import { AuroraCloneSnapshotProvider } from '../../../../functions/shared/adapters/aws/aurora-clone-snapshot-provider.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { LocalSnapshotProvider } from '../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { OperationRef } from '../../../../functions/shared/ports/snapshot-provider.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { sql } from '../../../support/pglite-server.js';

const RUN = 'arn:aws:states:local:0:execution:tollgate:restore';

/**
 * The restore from a checkpoint, at the task level, on real PGlite and the local provider: what it
 * counts, when it is offered, the restore itself and what the ledger keeps.
 */
describe('migration-safety checkpoint restore', () => {
  let dir = '';
  let host: VolumeHost;
  let url = '';
  let release: ReleaseRef;
  let checkpoint: Record<string, unknown>;
  let ports: Parameters<typeof migrationSafety>[1] & { ledger: DirLedger; snapshots: LocalSnapshotProvider };
  const deps = { sleep: async () => undefined, connection: async () => url };

  const run = (action: string, extra: Record<string, unknown> = {}, state = `S-${action}`) =>
    migrationSafety(
      migrationSafetyInputSchema.parse({
        executionArn: RUN,
        stateName: state,
        pipeline: 'orders',
        environment: 'prod',
        action,
        release,
        ...extra,
      }),
      ports,
      deps,
    ) as Promise<Record<string, any>>;

  async function settle(operation: OperationRef) {
    for (let i = 0; i < 600; i += 1) {
      const status = await ports.snapshots.poll(operation);
      if (status.state !== 'RUNNING') return status;
      await new Promise((r) => setTimeout(r, 20)); // a real copy runs in the background
    }
    throw new Error(`${operation.id} still RUNNING`);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'checkpoint-restore-'));
    const dataDir = join(dir, '.tollgate');
    host = new VolumeHost({ dataDir });
    url = await host.open('prod', 0);
    const config = parseConfig({
      name: 'orders',
      source: { repository: 'orders' },
      build: { command: 'true', artifact: 'dist/release.tgz' },
      database: { engine: 'postgres', source: 'prod', breaking: ['0002_drop_note'] },
      environments: [
        {
          name: 'prod',
          deploy: { type: 'process', command: 'node s.mjs', port: 40013 },
          database: {},
          approval: { approvers: ['ana'] },
        },
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
    await sql(url, 'CREATE TABLE orders (id int PRIMARY KEY, note text)');
    await sql(url, 'CREATE TABLE tollgate_migrations (version integer PRIMARY KEY, name text)');
    await sql(url, "INSERT INTO tollgate_migrations VALUES (1, '0001_orders')");
    await sql(url, "INSERT INTO orders VALUES (1, 'leave at the door'), (2, 'ring twice')");
    // The checkpoint, as the pipeline takes it before prod migrates.
    const plan = await run('plan');
    const started = await run('checkpoint', { plan });
    const done = await settle(started.operation);
    checkpoint = await run('record-checkpoint', { plan, snapshot: done.ref, txid: started.txid });
  }, 180_000);
  afterAll(async () => {
    await host.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the rows the app wrote since the checkpoint (not the migration’s), and on approval puts prod back', async () => {
    // Arrange: the breaking migration with a backfill touching every row, in one transaction with
    // its tollgate_migrations row (as migrate-database runs it), then the app's writes.
    await sql(
      url,
      "ALTER TABLE orders DROP COLUMN note; UPDATE orders SET id = id; INSERT INTO tollgate_migrations VALUES (2, '0002_drop_note')",
    );
    await sql(url, 'INSERT INTO orders VALUES (3), (4)');
    await sql(url, 'UPDATE orders SET id = 10 WHERE id = 1');

    // Act
    const plan = await run('restore-plan', { checkpoint });
    const started = await run('restore-start', { checkpoint });
    const restored = await settle(started.operation);
    const recorded = await run('restore-record', {
      checkpoint,
      restorePlan: plan,
      outcome: 'restored',
      detail: null,
    });

    // Assert: 2 inserts and 1 update counted; the migration's backfill of both rows is not
    expect(checkpoint.breaking).toEqual(['0002_drop_note']);
    expect(plan).toMatchObject({
      offer: true,
      breakingApplied: ['0002_drop_note'],
      rowsSinceCheckpoint: 3,
      rowsByTable: { orders: 3 },
      snapshot: (checkpoint.snapshot as { name: string }).name,
    });
    expect(restored.state).toBe('SUCCEEDED');
    expect(await sql(url, 'SELECT id, note FROM orders ORDER BY id')).toEqual([
      { id: 1, note: 'leave at the door' },
      { id: 2, note: 'ring twice' },
    ]);
    expect(recorded).toMatchObject({ outcome: 'restored', dataKept: false, rowsSinceCheckpoint: 3 });
    const [entry] = await ports.ledger.query({ kinds: ['checkpoint-restore'] });
    expect(entry).toMatchObject({
      environment: 'prod',
      releaseVersion: release.version,
      executionArn: RUN,
      data: { outcome: 'restored', provider: 'local', dataKept: false, rowsSinceCheckpoint: 3 },
    });
  });

  it('offers no restore when no breaking migration was applied, and records why', async () => {
    // Arrange: after the restore above, prod has only 0001 applied.

    // Act
    const plan = await run('restore-plan', { checkpoint }, 'S-plan-again');

    // Assert
    expect(plan).toMatchObject({ offer: false, breakingApplied: [] });
    expect(plan.reason).toContain('no migration marked database.breaking was applied');
    const entries = await ports.ledger.query({ kinds: ['checkpoint-restore'] });
    expect(entries.at(-1)).toMatchObject({ data: { outcome: 'not-offered', reason: plan.reason } });
  });

  it('keeps the data when the restore is rejected, and the ledger says so', async () => {
    // Act
    const recorded = await run(
      'restore-record',
      {
        checkpoint,
        restorePlan: { rowsSinceCheckpoint: 5 },
        outcome: 'rejected',
        detail: 'Tollgate.ApprovalRejected: {"approver":"ana","comment":"orders came in"}',
      },
      'S-record-rejected',
    );

    // Assert
    expect(recorded).toMatchObject({ outcome: 'rejected', dataKept: true, rowsSinceCheckpoint: 5 });
    const entries = await ports.ledger.query({ kinds: ['checkpoint-restore'] });
    expect(entries.at(-1)).toMatchObject({
      data: { outcome: 'rejected', dataKept: true, detail: expect.stringContaining('orders came in') },
    });
  });

  it('offers no restore from an Aurora checkpoint, which is a marker and holds no copy', async () => {
    // Arrange: prod has a breaking migration applied again; the provider is Aurora's.
    await sql(url, "INSERT INTO tollgate_migrations VALUES (2, '0002_drop_note')");
    const aurora = new AuroraCloneSnapshotProvider({
      rds: new RDSClient({ region: 'eu-west-1' }),
      secrets: new SecretsManagerClient({ region: 'eu-west-1' }),
      sourceClusterId: 'orders-prod',
      instanceClass: 'db.r6g.large',
      connectionSecrets: {},
    });

    // Act
    const plan = (await migrationSafety(
      migrationSafetyInputSchema.parse({
        executionArn: RUN,
        stateName: 'S-aurora',
        pipeline: 'orders',
        environment: 'prod',
        action: 'restore-plan',
        release,
        checkpoint,
      }),
      { ...ports, snapshots: aurora },
      deps,
    )) as Record<string, unknown>;

    // Assert
    expect(plan).toMatchObject({ offer: false, breakingApplied: ['0002_drop_note'] });
    expect(plan.reason).toBe(
      "the aurora-clone provider's checkpoint is a marker, not a copy; restore with the provider's own point-in-time restore to the checkpoint's time",
    );
  });

  it('refuses a restore step without its checkpoint or outcome in one line, and writes nothing', async () => {
    // Arrange
    const before = (await ports.ledger.query({ kinds: ['checkpoint-restore'] })).length;

    // Act + Assert
    await expect(run('restore-start', {}, 'S-bad-start')).rejects.toThrow(
      /^restore-start needs the checkpoint record-checkpoint returned$/,
    );
    await expect(run('restore-record', { checkpoint }, 'S-bad-record')).rejects.toThrow(
      /^restore-record needs an outcome: restored, restore-failed, rejected or expired$/,
    );
    expect(() =>
      migrationSafetyInputSchema.parse({
        executionArn: RUN,
        stateName: 'S',
        pipeline: 'orders',
        environment: 'prod',
        action: 'restore-plan',
        release,
        checkpoint: { ...checkpoint, txid: 'latest' },
      }),
    ).toThrow(/txid/);
    expect((await ports.ledger.query({ kinds: ['checkpoint-restore'] })).length).toBe(before);
  });
});
