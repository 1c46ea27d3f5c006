import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore } from '../../../../runtime/store/file-log-store.js';

const record = (id: string): StoreRecord => ({ t: 'exec-status', id, status: 'RUNNING' });

async function replayIds(dir: string): Promise<string[]> {
  const store = await FileLogStore.open(dir);
  const ids: string[] = [];
  for await (const r of store.replay()) ids.push(String(r.id));
  await store.close();
  return ids;
}

/** The next `times` writes on any file handle put half their bytes on disk, then fail as a full disk. */
async function fillDiskFor(times: number, code = 'ENOSPC'): Promise<void> {
  const probe = await open(join(tmpdir(), `tollgate-probe-${process.pid}`), 'w');
  await probe.close();
  const proto = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<unknown> };
  const real = proto.write;
  const spy = vi.spyOn(proto, 'write');
  for (let i = 0; i < times; i++) {
    spy.mockImplementationOnce(async function (this: unknown, ...args: unknown[]) {
      const [buffer, offset, length, position] = args as [Buffer, number, number, number];
      await real.call(this, buffer, offset, Math.floor(length / 2), position);
      throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
    });
  }
}

/** Lets the store's queued I/O run; the fake clock does not move. */
const settle = () => new Promise((r) => setTimeout(r, 50));

describe('FileLogStore on a full disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-log-full-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(dir, { recursive: true, force: true });
  });

  it('pauses an append the disk has no room for and completes it once space frees, without a restart', async () => {
    // Arrange
    const clock = new FakeEngineClock(0);
    const warnings: string[] = [];
    const store = await FileLogStore.open(dir, { timers: clock, warn: (l) => warnings.push(l) });
    await store.append([record('one')]);
    await fillDiskFor(2);
    // Act: the append meets a full disk twice, then finds room
    let done = false;
    const pending = store.append([record('two')]).then(() => {
      done = true;
    });
    await settle();
    const pausedAfterFirst = !done;
    clock.advance(1_000);
    await settle();
    const pausedAfterSecond = !done;
    clock.advance(2_000);
    await pending;
    await store.append([record('three')]);
    await store.close();
    // Assert
    expect([pausedAfterFirst, pausedAfterSecond]).toEqual([true, true]);
    expect(await replayIds(dir)).toEqual(['one', 'two', 'three']);
    expect(warnings).toEqual([
      expect.stringMatching(
        /the disk is full \(ENOSPC\); runs are paused until space frees, nothing is lost$/,
      ),
      expect.stringMatching(/space freed, runs carry on$/),
    ]);
  });

  it('treats a full quota (EDQUOT) as a full disk', async () => {
    const clock = new FakeEngineClock(0);
    const store = await FileLogStore.open(dir, { timers: clock, warn: () => undefined });
    await fillDiskFor(1, 'EDQUOT');
    const pending = store.append([record('one')]);
    await settle();
    clock.advance(1_000);
    await pending;
    await store.close();
    expect(await replayIds(dir)).toEqual(['one']);
  });

  it('rejects the waiting append when the store closes while the disk is full, leaving the log intact', async () => {
    // Arrange
    const clock = new FakeEngineClock(0);
    const store = await FileLogStore.open(dir, { timers: clock, warn: () => undefined });
    await store.append([record('one')]);
    await fillDiskFor(1);
    // Act
    const pending = store.append([record('two')]).then(
      () => undefined,
      (e: Error) => e,
    );
    await settle();
    await store.close();
    // Assert
    expect((await pending)?.message).toMatch(/closed while the disk was full$/);
    expect(await replayIds(dir)).toEqual(['one']);
  });

  it('still closes the store on a write error that freeing space does not cure (EIO)', async () => {
    const store = await FileLogStore.open(dir, { timers: new FakeEngineClock(0), warn: () => undefined });
    await fillDiskFor(1, 'EIO');
    await expect(store.append([record('one')])).rejects.toThrow(/the store is closed, reopen it to recover$/);
    await store.close();
  });
});
