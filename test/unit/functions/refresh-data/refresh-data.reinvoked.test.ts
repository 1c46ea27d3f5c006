import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshData } from '../../../../functions/refresh-data/refresh-data.js';
import { LocalSnapshotProvider } from '../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import type { Clock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { tempDir } from '../../../support/pglite-server.js';

/**
 * The engine calls a task again when a restart finds it scheduled with no recorded result (kill -9
 * of `tollgate up` between the start and the durable TaskSucceeded, a window a loaded machine's
 * slow fsync widens). refresh-data computes the labels' ttl from the clock, so the second call
 * carries a later ttl: the crash campaign's run failed there with ImmutableConflict.
 */
describe('refreshData started again after a restart', () => {
  const dir = tempDir('tollgate-refresh-again-');
  const host = new VolumeHost({ dataDir: dir.path });
  const provider = new LocalSnapshotProvider({ dataDir: dir.path, host });
  let nowMs = Date.parse('2026-03-01T12:00:00.000Z');
  const clock: Clock = { now: () => new Date(nowMs) };
  const config = parseConfig({
    name: 'shop',
    source: { repository: 'shop' },
    build: { command: 'true', artifact: 'out.tgz' },
    database: { engine: 'postgres', masking: [{ table: 'people', column: 'email', rule: 'email' }] },
    environments: [
      { name: 'test', deploy: { type: 'process', command: 'true', port: 4791 }, database: { refresh: true } },
      { name: 'prod', deploy: { type: 'process', command: 'true', port: 4793 } },
    ],
  });
  const ports = { config, snapshots: provider, clock } as unknown as TollgatePorts;
  const start = (action: 'backup-target', run = 'run-1') => ({
    executionArn: `arn:aws:states:local:000000000000:execution:shop:${run}`,
    stateName: 'StartStorageStep',
    pipeline: 'shop',
    environment: 'test',
    action,
  });
  beforeAll(async () => {
    // Served on a free port, as `tollgate up` serves it: the backup copies a real volume.
    await host.open('test', 0);
  }, 60_000);
  afterAll(async () => {
    await provider.close();
    await host.closeAll();
    dir.remove();
  });

  it('returns the same operation and keeps the first ttl when the same storage step is started again minutes later', async () => {
    // Arrange
    const first = await refreshData(start('backup-target'), ports);
    nowMs += 5 * 60_000;

    // Act
    const again = await refreshData(start('backup-target'), ports);

    // Assert
    expect(again).toEqual(first);
    await provider.idle();
    const [snapshot] = await provider.list({ purpose: 'backup' });
    expect(snapshot?.labels.ttl).toBe(
      new Date(Date.parse('2026-03-01T12:00:00.000Z') + 7 * 86_400_000).toISOString(),
    );
  });

  it('throws ImmutableConflict when the same key is started with another run label', async () => {
    // Arrange
    const { operation } = (await refreshData(start('backup-target', 'run-2'), ports)) as {
      operation: { resource: { volumes: Array<{ source: string }> } };
    };
    await provider.idle();

    // Act
    const other = provider.startSnapshot({
      idempotencyKey: `${start('backup-target', 'run-2').executionArn}/test/StartStorageStep/backup-target`,
      source: operation.resource.volumes.map((v) => v.source),
      labels: { pipeline: 'shop', run: 'another-run', ttl: new Date(nowMs).toISOString() },
    });

    // Assert
    await expect(other).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
  });
});
