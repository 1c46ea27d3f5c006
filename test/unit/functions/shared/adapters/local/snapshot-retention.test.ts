import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshData } from '../../../../../../functions/refresh-data/refresh-data.js';
import { DirLedger } from '../../../../../../functions/shared/adapters/local/dir-ledger.js';
import { DiskBudgetSnapshotProvider } from '../../../../../../functions/shared/adapters/local/disk-budget-snapshot-provider.js';
import { diskUsage } from '../../../../../../functions/shared/adapters/local/disk-usage.js';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type {
  OperationRef,
  SnapshotProvider,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { sql, tempDir } from '../../../../../support/pglite-server.js';

const run = (n: number) => `arn:aws:states:local:0:execution:orders-service:run-${n}`;

async function settle(provider: SnapshotProvider, op: OperationRef) {
  for (let i = 0; i < 600; i += 1) {
    const status = await provider.poll(op);
    if (status.state !== 'RUNNING') return status;
    await new Promise((r) => setTimeout(r, 20)); // real file copies run in the background
  }
  throw new Error(`operation ${op.id} still RUNNING`);
}

/** Snapshot retention (database.snapshots) and the disk budget (runtime.diskBudget), on real volumes. */
describe('snapshot retention and the disk budget', () => {
  const dir = tempDir('tollgate-retention-');
  const host = new VolumeHost({ dataDir: dir.path });
  const provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const config = (snapshots: Record<string, unknown>, runtime: Record<string, unknown> = {}) =>
    parseConfig(
      validConfig({
        name: 'orders-service',
        database: { engine: 'postgres', source: 'prod', snapshots },
        runtime,
      } as never),
    );
  const ports = (c: ReturnType<typeof config>, snapshots: SnapshotProvider = provider) => ({
    config: c,
    snapshots,
    ledger: new DirLedger(path.join(dir.path, 'ledger')),
    clock,
  });
  const snapshotOf = async (
    n: number,
    c: ReturnType<typeof config>,
    snapshots: SnapshotProvider = provider,
  ) => {
    const out = (await refreshData(
      {
        executionArn: run(n),
        stateName: 'StartStorageStep',
        pipeline: 'orders-service',
        environment: 'test',
        action: 'snapshot-source',
      },
      ports(c, snapshots),
    )) as { operation: OperationRef };
    await settle(provider, out.operation);
    return out.operation.resource.name;
  };

  beforeAll(async () => {
    const prod = await host.open('prod', 0);
    await sql(prod, 'CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL)');
    await sql(
      prod,
      "INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 2000) g",
    );
  });
  afterAll(async () => {
    await provider.idle();
    await host.closeAll();
    dir.remove();
  });

  it('labels refresh snapshots with database.snapshots.maxAge and gc keeps only the newest `keep`, the running refresh, and no trash', async () => {
    // Arrange: four runs' snapshots a minute apart, and trash a crashed delete left behind
    const c = config({ keep: 2, maxAge: '2d' });
    const names: string[] = [];
    for (let n = 1; n <= 4; n++) {
      names.push(await snapshotOf(n, c));
      clock.advance(60_000);
    }
    const trash = path.join(dir.path, 'snapshots', '.trash-snap-crashed');
    fs.mkdirSync(trash, { recursive: true });
    fs.writeFileSync(path.join(trash, 'base'), Buffer.alloc(64 * 1024, 1));
    // Act: the fourth run's gc step
    const result = (await refreshData(
      {
        executionArn: run(4),
        stateName: 'Gc',
        pipeline: 'orders-service',
        environment: 'test',
        action: 'gc',
      },
      ports(c),
    )) as { deleting: number; beyondKeep: number };
    await provider.idle();
    // Assert
    const left = await provider.list({ pipeline: 'orders-service' });
    expect(left.map((r) => r.ref.name).sort()).toEqual([names[1], names[2], names[3]].sort());
    expect(result).toMatchObject({ deleting: 1, beyondKeep: 1 });
    expect(left.find((r) => r.ref.name === names[3])!.labels.ttl).toBe('2026-01-03T00:03:00.000Z');
    expect(fs.existsSync(trash)).toBe(false);
  });

  it('fails a snapshot in one line before copying when the data directory would pass runtime.diskBudget', async () => {
    // Arrange: a budget just above what the data directory holds now
    const used = diskUsage(dir.path);
    const c = config({}, { diskBudget: `${Math.ceil(used / 1024) + 16}KB` });
    const budgeted = new DiskBudgetSnapshotProvider(provider, {
      dataDir: dir.path,
      budget: c.runtime.diskBudget!,
      volumeDir: (name) => host.volumeDir(name),
    });
    const before = fs.readdirSync(path.join(dir.path, 'snapshots')).sort();
    // Act
    const refused = await snapshotOf(9, c, budgeted).then(
      () => undefined,
      (e: Error) => e,
    );
    // Assert
    expect(refused).toMatchObject({ name: 'Tollgate.SnapshotFailed' });
    expect(refused!.message).toMatch(
      /^snapshot of prod needs [\d.]+ [KM]B on top of the [\d.]+ [KM]B in .*, over runtime\.diskBudget [\d.]+ [KM]B; lower database\.snapshots\.keep or raise the budget$/,
    );
    expect(fs.readdirSync(path.join(dir.path, 'snapshots')).sort()).toEqual(before);
  });

  it('lets a snapshot through within the budget, and a retried start of it even when the budget is now exceeded', async () => {
    // Arrange
    const roomy = new DiskBudgetSnapshotProvider(provider, {
      dataDir: dir.path,
      budget: 10 * 1024 ** 3,
      volumeDir: (name) => host.volumeDir(name),
    });
    const tight = new DiskBudgetSnapshotProvider(provider, {
      dataDir: dir.path,
      budget: 1024,
      volumeDir: (name) => host.volumeDir(name),
    });
    const c = config({});
    // Act
    const name = await snapshotOf(10, c, roomy);
    const again = await snapshotOf(10, c, tight);
    // Assert
    expect(again).toBe(name);
  });
});
