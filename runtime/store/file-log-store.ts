import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock.js';
import type { EngineStore, StoreRecord } from './engine-store.js';
import { CorruptLogError, StoreClosedError, StoreError } from './errors.js';
import { encodeFrames, LOG_HEADER } from './log-format.js';
import { findIntactFrameAfter, readFully, readLog } from './log-reader.js';
import { parseRecord, serializeRecords } from './record-codec.js';

export const LOG_FILE = 'engine.log';
const COMPACT_TEMP = 'engine.log.compacting';

type Pending =
  | { kind: 'append'; bytes: Buffer; resolve: () => void; reject: (error: Error) => void }
  | { kind: 'compact'; bytes: Buffer; resolve: () => void; reject: (error: Error) => void };

/**
 * The durable engine store: one append-only log file of CRC-framed JSON records (see log-format.ts)
 * in a locked data directory.
 *
 * Group commit: appends queue while one write+fdatasync runs; when it finishes, everything queued
 * is written with one write and made durable with one fdatasync, and only then do those callers'
 * promises resolve. Throughput therefore scales with concurrency instead of being one fsync per
 * call. Compactions go through the same queue, so they are ordered with appends.
 */
export class FileLogStore implements EngineStore {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private commitCount = 0;

  private constructor(
    readonly dataDir: string,
    private readonly lock: DataDirLock,
    private handle: FileHandle,
    /** Offset where the next frame goes; everything before it is durable. */
    private end: number,
  ) {}

  static async open(dataDir: string): Promise<FileLogStore> {
    if (typeof dataDir !== 'string' || dataDir.length === 0) {
      throw new StoreError(
        `FileLogStore.open: dataDir must be a non-empty path, got ${JSON.stringify(dataDir)}`,
      );
    }
    await mkdir(dataDir, { recursive: true });
    const lock = await DataDirLock.acquire(dataDir);
    try {
      // A compaction that crashed before its rename left only garbage; the log itself is intact.
      await unlink(join(dataDir, COMPACT_TEMP)).catch(() => undefined);
      const { handle, end } = await openLog(dataDir);
      return new FileLogStore(dataDir, lock, handle, end);
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** How many write+fdatasync rounds ran; with group commit this stays well below the append count. */
  get commits(): number {
    return this.commitCount;
  }

  get path(): string {
    return join(this.dataDir, LOG_FILE);
  }

  append(records: readonly StoreRecord[]): Promise<void> {
    return this.enqueue('append', () => encodeFrames(serializeRecords(records, 'append')));
  }

  compact(live: readonly StoreRecord[]): Promise<void> {
    return this.enqueue('compact', () =>
      Buffer.concat([LOG_HEADER, encodeFrames(serializeRecords(live, 'compact'))]),
    );
  }

  async *replay(): AsyncIterable<StoreRecord> {
    this.assertUsable('replay');
    // Our own read handle: a compaction renaming the log mid-replay leaves this inode readable.
    const end = this.end;
    const reader = await open(this.path, 'r');
    try {
      for await (const item of readLog(reader, LOG_HEADER.length, end)) {
        if (item.kind === 'frame') yield parseRecord(item.payload);
        else if (item.damage) {
          throw new CorruptLogError(
            `${this.path} changed under replay at byte ${item.damage.offset}: ${item.damage.reason}`,
          );
        }
      }
    } finally {
      await reader.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    await this.handle.close().catch(() => undefined);
    await this.lock.release();
  }

  private enqueue(kind: Pending['kind'], encode: () => Buffer): Promise<void> {
    try {
      this.assertUsable(kind);
      const bytes = encode();
      return new Promise<void>((resolve, reject) => {
        this.queue.push({ kind, bytes, resolve, reject });
        this.draining ??= this.drain();
      });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch: Pending[] = [];
      if (this.queue[0].kind === 'compact') batch.push(this.queue.shift()!);
      else while (this.queue.length > 0 && this.queue[0].kind === 'append') batch.push(this.queue.shift()!);
      try {
        if (this.failure) throw this.failure;
        if (batch[0].kind === 'compact') await this.replaceLog(batch[0].bytes);
        else await this.writeBatch(batch);
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error as Error);
      }
    }
    this.draining = null;
  }

  private async writeBatch(batch: readonly Pending[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((p) => p.bytes));
    try {
      let written = 0;
      while (written < bytes.length) {
        const result = await this.handle.write(bytes, written, bytes.length - written, this.end + written);
        written += result.bytesWritten;
      }
      await this.handle.datasync();
      this.end += bytes.length;
      this.commitCount += 1;
    } catch (error) {
      // After a failed write or fsync the page cache no longer tells us what is on disk, so the
      // only safe answer is to stop: reopening re-reads the log and drops any torn tail.
      throw this.fail('append', error);
    }
  }

  private async replaceLog(bytes: Buffer): Promise<void> {
    const temp = join(this.dataDir, COMPACT_TEMP);
    try {
      const out = await open(temp, 'w', 0o600);
      try {
        let written = 0;
        while (written < bytes.length) written += (await out.write(bytes, written)).bytesWritten;
        await out.sync();
      } finally {
        await out.close();
      }
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new StoreError(`compact: could not write ${temp}: ${(error as Error).message}`, { cause: error });
    }
    try {
      await rename(temp, this.path);
      await syncDirectory(this.dataDir);
      const previous = this.handle;
      this.handle = await open(this.path, 'r+');
      this.end = bytes.length;
      await previous.close();
    } catch (error) {
      throw this.fail('compact', error);
    }
  }

  private fail(operation: string, error: unknown): Error {
    this.failure = new StoreClosedError(
      `${operation} failed on ${this.path}: ${(error as Error).message}; the store is closed, reopen it to recover`,
      { cause: error },
    );
    return this.failure;
  }

  private assertUsable(operation: string): void {
    if (this.closed) throw new StoreClosedError(`${operation}: the store at ${this.dataDir} is closed`);
    if (this.failure) throw this.failure;
  }
}

/** Opens (or creates) the log and cuts a torn tail off, returning the handle and the durable end. */
async function openLog(dataDir: string): Promise<{ handle: FileHandle; end: number }> {
  const path = join(dataDir, LOG_FILE);
  let handle: FileHandle;
  try {
    handle = await open(path, 'r+');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    handle = await open(path, 'wx+', 0o600);
    await handle.write(LOG_HEADER, 0, LOG_HEADER.length, 0);
    await handle.sync();
    await syncDirectory(dataDir);
    return { handle, end: LOG_HEADER.length };
  }
  try {
    const size = (await handle.stat()).size;
    const header = Buffer.alloc(LOG_HEADER.length);
    const got = await readFully(handle, header, 0);
    if (got < LOG_HEADER.length && LOG_HEADER.subarray(0, got).equals(header.subarray(0, got))) {
      // Crashed while creating the file: nothing was ever acknowledged, start it again.
      await handle.write(LOG_HEADER, 0, LOG_HEADER.length, 0);
      await handle.sync();
      return { handle, end: LOG_HEADER.length };
    }
    if (!header.equals(LOG_HEADER)) {
      throw new CorruptLogError(
        `${path} is not a Tollgate engine log (bad header); move it aside to start afresh`,
      );
    }
    let validEnd = size;
    for await (const item of readLog(handle, LOG_HEADER.length, size)) {
      if (item.kind !== 'end') continue;
      validEnd = item.validEnd;
      if (item.damage) {
        const intact = await findIntactFrameAfter(handle, item.damage.offset, size);
        if (intact !== null) {
          throw new CorruptLogError(
            `${path} is damaged at byte ${item.damage.offset} (${item.damage.reason}) but intact records follow at byte ${intact}; refusing to drop them`,
          );
        }
      }
    }
    if (validEnd < size) {
      await handle.truncate(validEnd);
      await handle.sync();
    }
    return { handle, end: validEnd };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes a create or rename itself durable; without it a crash can forget the new directory entry.
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
