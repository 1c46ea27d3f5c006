import { afterAll, beforeAll, describe } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import { tempDir } from '../../../../../support/pglite-server.js';
import {
  type SnapshotProviderHarness,
  snapshotProviderContract,
} from '../../ports/snapshot-provider.contract.js';

describe('LocalSnapshotProvider contract', () => {
  const dir = tempDir('tollgate-local-contract-');
  const host = new VolumeHost({ dataDir: dir.path });
  let harness: SnapshotProviderHarness;
  let n = 0;

  beforeAll(async () => {
    await host.open('prod', 0);
    const provider = new LocalSnapshotProvider({ dataDir: dir.path, host, protectedVolumes: ['prod'] });
    harness = {
      provider,
      sources: ['prod'],
      newTarget: () => {
        n += 1;
        return `copy${n}`;
      },
      between: () => new Promise((resolve) => setTimeout(resolve, 20)), // a real copy is running
    };
  });

  afterAll(async () => {
    await (harness.provider as LocalSnapshotProvider).idle();
    await host.closeAll();
    dir.remove();
  });

  snapshotProviderContract(() => harness);
});
