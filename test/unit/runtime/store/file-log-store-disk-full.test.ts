import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';

/** Node's FileHandle class, whose write and datasync every store write goes through. */
async function fileHandlePrototype(dir: string) {
  const probe = await open(join(dir, 'probe'), 'w');
  await probe.close();
  return Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
}

const diskFull = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

async function collect(store: FileLogStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

describe('FileLogStore on a full disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-full-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails the append that hit ENOSPC cleanly and accepts the next one once space is back, without a restart', async () => {
    // Arrange: the disk fills half-way through the second append's write
    const store = await FileLogStore.open(join(dir, 'engine'));
    await store.append([{ t: 'one' }]);
    const proto = await fileHandlePrototype(dir);
    const real = proto.write;
    vi.spyOn(proto, 'write').mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const [buffer, offset, length, position] = args as [Buffer, number, number, number];
      await real.call(this, buffer, offset, Math.floor(length / 2), position);
      throw diskFull();
    });
    // Act
    const full = await store.append([{ t: 'two', text: 'x'.repeat(200) }]).then(
      () => undefined,
      (e: Error) => e,
    );
    await store.append([{ t: 'three' }]);
    // Assert
    expect(full).toMatchObject({ name: 'StoreFullError' });
    expect(full!.message).toMatch(/the disk is full \(ENOSPC\); nothing was written, free space and retry$/);
    expect((await collect(store)).map((r) => r.t)).toEqual(['one', 'three']);
    await store.close();
    const reopened = await FileLogStore.open(join(dir, 'engine'));
    expect((await collect(reopened)).map((r) => r.t)).toEqual(['one', 'three']);
    await reopened.close();
  });

  it('still closes itself on an error that freeing space does not cure (EIO)', async () => {
    // Arrange
    const store = await FileLogStore.open(join(dir, 'engine'));
    const proto = await fileHandlePrototype(dir);
    vi.spyOn(proto, 'write').mockRejectedValueOnce(
      Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }),
    );
    // Act
    await expect(store.append([{ t: 'one' }])).rejects.toMatchObject({ name: 'StoreClosedError' });
    // Assert
    await expect(store.append([{ t: 'two' }])).rejects.toMatchObject({ name: 'StoreClosedError' });
    await store.close();
  });
});
