import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreRecord } from '../../../../runtime/store/engine-store.js';
import { FileLogStore, LOG_FILE } from '../../../../runtime/store/file-log-store.js';
import { LOG_HEADER } from '../../../../runtime/store/log-format.js';

async function collect(store: FileLogStore): Promise<StoreRecord[]> {
  const out: StoreRecord[] = [];
  for await (const record of store.replay()) out.push(record);
  return out;
}

/** Reads the log straight from disk, independent of the store, and returns the frame offsets. */
function frameOffsets(bytes: Buffer): number[] {
  const offsets: number[] = [];
  let at = LOG_HEADER.length;
  while (at + 8 <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (at + 8 + length > bytes.length) break;
    offsets.push(at);
    at += 8 + length;
  }
  return offsets;
}

describe('FileLogStore', () => {
  let dir: string;
  let logPath: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-log-'));
    logPath = join(dir, LOG_FILE);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function seed(count: number): Promise<void> {
    const store = await FileLogStore.open(dir);
    for (let n = 0; n < count; n++) await store.append([{ t: 'seed', n, text: `record-${n}` }]);
    await store.close();
  }

  it('returns every record after a reopen when they were appended before close', async () => {
    // Arrange
    await seed(5);
    // Act
    const store = await FileLogStore.open(dir);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.n)).toEqual([0, 1, 2, 3, 4]);
  });

  it('tells its write-done listener after a write and before the next, so what it appends joins that next write', async () => {
    // Arrange: the first append's write starts at once; the second queues behind it.
    const store = await FileLogStore.open(dir);
    let late: Promise<void> | undefined;
    store.onWriteDone(() => {
      late ??= store.append([{ t: 'late', n: 2 }]);
    });
    const commitsBefore = store.commits;
    // Act
    await Promise.all([store.append([{ t: 'first', n: 0 }]), store.append([{ t: 'queued', n: 1 }])]);
    await late;
    const records = await collect(store);
    const commits = store.commits - commitsBefore;
    await store.close();
    // Assert: the listener's record rode the queued record's write: two writes, not three.
    expect(late).toBeDefined();
    expect(commits).toBe(2);
    expect(records.map((r) => r.t)).toEqual(['first', 'queued', 'late']);
  });

  it('keeps writing when its write-done listener throws', async () => {
    // Arrange
    const warnings: string[] = [];
    const store = await FileLogStore.open(dir, { warn: (line) => warnings.push(line) });
    store.onWriteDone(() => {
      throw new Error('listener broke');
    });
    // Act
    await Promise.all([store.append([{ t: 'a', n: 0 }]), store.append([{ t: 'b', n: 1 }])]);
    await store.append([{ t: 'c', n: 2 }]);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.t)).toEqual(['a', 'b', 'c']);
    expect(warnings[0]).toMatch(/write-done listener failed: listener broke$/);
  });

  it('resolves each append only once its record is on disk when appends are concurrent', async () => {
    // Arrange
    const store = await FileLogStore.open(dir);
    const seenOnDiskAtResolve: boolean[] = [];
    // Act
    await Promise.all(
      Array.from({ length: 100 }, (_, n) =>
        store.append([{ t: 'gc', n }]).then(() => {
          seenOnDiskAtResolve[n] = readFileSync(logPath).includes(`{"t":"gc","n":${n}}`);
        }),
      ),
    );
    const commits = store.commits;
    await store.close();
    // Assert
    expect(seenOnDiskAtResolve).toEqual(Array.from({ length: 100 }, () => true));
    expect(commits).toBeGreaterThanOrEqual(1);
    expect(commits).toBeLessThan(100);
  });

  it('keeps compacted records only when reopened after compact', async () => {
    // Arrange
    const store = await FileLogStore.open(dir);
    await store.append([{ t: 'old' }, { t: 'old' }, { t: 'open', id: 7 }]);
    await store.compact([{ t: 'open', id: 7 }]);
    await store.append([{ t: 'new' }]);
    await store.close();
    // Act
    const reopened = await FileLogStore.open(dir);
    const records = await collect(reopened);
    await reopened.close();
    // Assert
    expect(records).toEqual([{ t: 'open', id: 7 }, { t: 'new' }]);
  });

  it('drops the torn record and keeps appending when the file ends mid-record', async () => {
    // Arrange
    await seed(3);
    const size = (await stat(logPath)).size;
    await truncate(logPath, size - 5);
    // Act
    const store = await FileLogStore.open(dir);
    const afterRepair = await collect(store);
    await store.append([{ t: 'seed', n: 99 }]);
    await store.close();
    const reopened = await FileLogStore.open(dir);
    const final = await collect(reopened);
    await reopened.close();
    // Assert
    expect(afterRepair.map((r) => r.n)).toEqual([0, 1]);
    expect(final.map((r) => r.n)).toEqual([0, 1, 99]);
  });

  it('drops a tail whose frame header is cut short', async () => {
    // Arrange
    await seed(2);
    const bytes = await readFile(logPath);
    await writeFile(logPath, Buffer.concat([bytes, Buffer.from([7, 0, 0])]));
    // Act
    const store = await FileLogStore.open(dir);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.n)).toEqual([0, 1]);
    expect((await stat(logPath)).size).toBe(bytes.length);
  });

  it('drops a zero-filled tail such as power loss can leave', async () => {
    // Arrange
    await seed(2);
    const bytes = await readFile(logPath);
    await writeFile(logPath, Buffer.concat([bytes, Buffer.alloc(4096)]));
    // Act
    const store = await FileLogStore.open(dir);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.n)).toEqual([0, 1]);
  });

  it('drops the last record when a byte in it is flipped', async () => {
    // Arrange
    await seed(3);
    const bytes = await readFile(logPath);
    bytes[bytes.length - 3] ^= 0x20;
    await writeFile(logPath, bytes);
    // Act
    const store = await FileLogStore.open(dir);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.n)).toEqual([0, 1]);
  });

  it('throws CorruptLogError and leaves the file untouched when a middle record is damaged', async () => {
    // Arrange
    await seed(4);
    const bytes = await readFile(logPath);
    const second = frameOffsets(bytes)[1];
    bytes[second + 12] ^= 0x01;
    await writeFile(logPath, bytes);
    // Act
    const attempt = FileLogStore.open(dir);
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'CorruptLogError' });
    await expect(attempt).rejects.toThrow(
      new RegExp(`damaged at byte ${second} \\(a frame fails its CRC32 check\\) but intact records follow`),
    );
    expect((await readFile(logPath)).equals(bytes)).toBe(true);
  });

  it('throws CorruptLogError when a middle length field is damaged', async () => {
    // Arrange
    await seed(4);
    const bytes = await readFile(logPath);
    const second = frameOffsets(bytes)[1];
    bytes.writeUInt32LE(0x7fffff, second);
    await writeFile(logPath, bytes);
    // Act
    const attempt = FileLogStore.open(dir);
    // Assert
    await expect(attempt).rejects.toThrow(/runs past the end of the file\) but intact records follow/);
  });

  it('throws CorruptLogError when the file is not an engine log', async () => {
    // Arrange
    await writeFile(logPath, '{"not":"a log"}\n');
    // Act
    const attempt = FileLogStore.open(dir);
    // Assert
    await expect(attempt).rejects.toThrow(`${logPath} is not a Tollgate engine log (bad header)`);
  });

  it('starts an empty log when a crash cut the header short', async () => {
    // Arrange
    await writeFile(logPath, LOG_HEADER.subarray(0, 5));
    // Act
    const store = await FileLogStore.open(dir);
    await store.append([{ t: 'first' }]);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records).toEqual([{ t: 'first' }]);
  });

  it('ignores a half-written compaction when a crash left its temp file behind', async () => {
    // Arrange
    await seed(2);
    await writeFile(join(dir, 'engine.log.compacting'), 'partial garbage');
    // Act
    const store = await FileLogStore.open(dir);
    const records = await collect(store);
    await store.close();
    // Assert
    expect(records.map((r) => r.n)).toEqual([0, 1]);
    await expect(stat(join(dir, 'engine.log.compacting'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('throws StoreError when the data directory is empty', async () => {
    // Act
    const attempt = FileLogStore.open('');
    // Assert
    await expect(attempt).rejects.toThrow('FileLogStore.open: dataDir must be a non-empty path, got ""');
  });

  it('throws CorruptLogError when a zero-length frame sits before intact records', async () => {
    // Arrange
    await seed(1);
    const bytes = await readFile(logPath);
    const forged = Buffer.alloc(8);
    forged.writeUInt32LE(0, 0);
    await writeFile(
      logPath,
      Buffer.concat([bytes.subarray(0, LOG_HEADER.length), forged, bytes.subarray(LOG_HEADER.length)]),
    );
    // Act
    const attempt = FileLogStore.open(dir);
    // Assert
    await expect(attempt).rejects.toThrow(/impossible length \(0\)\) but intact records follow/);
  });
});
