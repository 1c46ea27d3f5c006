import { afterAll, describe, expect, it } from 'vitest';
import { refreshData } from '../../../../functions/refresh-data/refresh-data.js';
import { LocalSnapshotProvider } from '../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../functions/shared/adapters/local/pglite-volumes.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { tempDir } from '../../../support/pglite-server.js';

describe('refreshData publish', () => {
  const dir = tempDir('tollgate-refresh-');
  const host = new VolumeHost({ dataDir: dir.path });
  const provider = new LocalSnapshotProvider({ dataDir: dir.path, host });
  afterAll(async () => {
    await provider.close();
    dir.remove();
  });

  it('throws SnapshotFailed and starts nothing when publish is not given the clone ref', async () => {
    // Arrange
    const config = parseConfig({
      name: 'shop',
      source: { repository: 'shop' },
      build: { command: 'true', artifact: 'out.tgz' },
      database: { engine: 'postgres', masking: [{ table: 'people', column: 'email', rule: 'email' }] },
      environments: [
        {
          name: 'test',
          deploy: { type: 'process', command: 'true', port: 4791 },
          database: { refresh: true },
        },
        { name: 'prod', deploy: { type: 'process', command: 'true', port: 4793 } },
      ],
    });
    const ports = { config, snapshots: provider, clock: systemClock } as unknown as TollgatePorts;
    const input = {
      executionArn: 'arn:aws:states:local:0:execution:p:r',
      stateName: 'StartStorageStep',
      pipeline: 'shop',
      environment: 'test',
      action: 'publish' as const,
    };
    // Act
    const publish = refreshData(input, ports);
    // Assert
    await expect(publish).rejects.toThrow(/^publish needs the clone ref \(volumes\)$/);
    expect(await provider.list({})).toEqual([]);
  });
});
