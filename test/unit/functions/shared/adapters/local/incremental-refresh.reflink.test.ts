import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSnapshotProvider } from '../../../../../../functions/shared/adapters/local/local-snapshot-provider.js';
import { VolumeHost } from '../../../../../../functions/shared/adapters/local/pglite-volumes.js';
import type {
  OperationRef,
  SnapshotRef,
} from '../../../../../../functions/shared/ports/snapshot-provider.js';
import { mountReflinkFs, type ReflinkFs, reflinkFsUnavailable } from '../../../../../support/reflink-fs.js';
import { fakeDataDir, hashTree, seededRandom } from '../../../../../support/volume-tree.js';

const MB = 1024 * 1024;
const labels = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:reflink',
  ttl: '2099-01-02T00:00:00.000Z',
};

const reason = reflinkFsUnavailable();
if (reason) console.warn(`SKIPPED reflink refresh test: ${reason}`);

describe.skipIf(reason !== undefined)('LocalSnapshotProvider refresh on a reflink filesystem', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-reflink-'));
  let reflinkFs: ReflinkFs | undefined;
  let mnt = '';

  beforeAll(() => {
    reflinkFs = mountReflinkFs(work, 512 * MB);
    mnt = reflinkFs.dir;
  });

  afterAll(() => {
    reflinkFs?.unmount();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const freeBytes = () => {
    spawnSync('sync');
    const s = fs.statfsSync(mnt);
    return s.bfree * s.bsize;
  };

  it('returns test byte-identical to prod while the snapshot and the clone take almost no space', async () => {
    // Arrange
    const dataDir = path.join(mnt, 'tollgate');
    const host = new VolumeHost({ dataDir });
    const provider = new LocalSnapshotProvider({ dataDir, host, protectedVolumes: ['prod'] });
    const until = async (op: OperationRef) => {
      for (;;) {
        const status = await provider.poll(op);
        if (status.state !== 'RUNNING') return status;
        await provider.idle();
      }
    };
    fakeDataDir(host.volumeDir('prod'), 64, MB, seededRandom(7));
    fakeDataDir(host.volumeDir('test'), 2, 8192, seededRandom(8));
    const before = freeBytes();

    // Act
    const snap = await until(
      await provider.startSnapshot({ idempotencyKey: 'reflink/S', source: ['prod'], labels }),
    );
    const clone = await until(
      await provider.startClone({
        idempotencyKey: 'reflink/C',
        snapshot: snap.ref as SnapshotRef,
        targets: [{ source: 'prod', target: 'test' }],
        mode: 'overwrite',
        labels,
      }),
    );

    // Assert
    expect([snap.state, clone.state]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(hashTree(host.volumeDir('test'))).toEqual(hashTree(host.volumeDir('prod')));
    // Two plain copies of 64 MiB would take 128 MiB; reflinks share the extents.
    expect(before - freeBytes()).toBeLessThan(16 * MB);
    await provider.idle();
    await host.closeAll();
  });
});
