import { type FileHandle, mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { DataDirLock } from './data-dir-lock.js';
import type { EngineStore, StoreRecord } from './engine-store.js';
import { CorruptLogError, StoreClosedError, StoreError } from './errors.js';
import { encodeFrames, LOG_HEADER } from './log-format.js';
import { LOG_FILE, openLog, syncDirectory } from './log-open.js';
import { readLog } from './log-reader.js';
import { parseRecord, serializeRecords } from './record-codec.js';
import { type FileLogStoreOptions, realTimers } from './store-timers.js';

const COMPACT_TEMP = 'engine.log.compacting';

/** Errors that mean "no room now", which freeing space cures; anything else is a broken disk. */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT']);
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

type Pending =
  | { kind: 'append'; bytes: Buffer; resolve: () => void; reject: (error: Error) => void }
  | { kind: 'compact'; bytes: Buffer; resolve: () => void; reject: (error: Error) => void };

export type { FileLogStoreOptions };
export { LOG_FILE };

/**
 * The durable engine store: one append-only log file of CRC-framed JSON records (see log-format.ts)
 * in a locked data directory.
 *
 * Group commit: appends queue while one write+fdatasync runs; when it finishes, everything queued
 * is written with one write and made durable with one fdatasync, and only then do those callers'
 * promises resolve. Throughput therefore scales with concurrency instead of being one fsync per
 * call. Compactions go through the same queue, so they are ordered with appends.
 *
 * A full disk pauses instead of closing the store: the batch that found no room is cut back off the
 * file (truncate to the durable end, fsync) and written again after a backoff, so runs stall while
 * the disk is full and carry on once space frees, without a restart. Nothing in that batch was
 * acknowledged, so nobody saw it as durable. Any other write or fsync failure still closes the store.
 */
export class FileLogStore implements EngineStore {
  private readonly queue: Pending[] = [];
  private draining: Promise<void> | null = null;
  private failure: Error | null = null;
  private closed = false;
  private commitCount = 0;
  private writeDone: (() => void) | undefined;
  /** The pending retry of a batch that hit a full disk; `close` cancels it. */
  private stall: { timer: { cancel(): void }; wake: () => void } | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly lock: DataDirLock,
    private handle: FileHandle,
    /** Offset where the next frame goes; everything before it is durable. */
    private end: number,
    private readonly options: FileLogStoreOptions,
  ) {}

  static async open(dataDir: string, options: FileLogStoreOptions = {}): Promise<FileLogStore> {
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
      return new FileLogStore(dataDir, lock, handle, end, options);
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

  onWriteDone(listener: () => void): void {
    this.writeDone = listener;
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
    this.stall?.timer.cancel();
    this.stall?.wake();
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
    do {
      const batch: Pending[] = [];
      if (this.queue[0].kind === 'compact') batch.push(this.queue.shift()!);
      else while (this.queue.length > 0 && this.queue[0].kind === 'append') batch.push(this.queue.shift()!);
      try {
        if (this.failure) throw this.failure;
        if (batch[0].kind === 'compact') await this.replaceLog(batch[0].bytes);
        else await this.writeUntilRoom(batch);
        for (const pending of batch) pending.resolve();
      } catch (error) {
        for (const pending of batch) pending.reject(error as Error);
      }
      // The disk is free: records gathered meanwhile are queued now to join the next write.
      this.tellWriteDone();
    } while (this.queue.length > 0);
    this.draining = null;
  }

  private tellWriteDone(): void {
    try {
      this.writeDone?.();
    } catch (error) {
      // The listener only queues appends, which report their own failures; one that throws must
      // not stop the queue, whose callers would otherwise wait forever.
      this.warn(`engine log ${this.path}: write-done listener failed: ${(error as Error).message}`);
    }
  }

  /** Writes the batch, waiting out a full disk with backoff; the store's close ends the wait. */
  private async writeUntilRoom(batch: readonly Pending[]): Promise<void> {
    const bytes = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((p) => p.bytes));
    let delay = FIRST_RETRY_MS;
    for (let attempt = 1; ; attempt++) {
      const full = await this.writeBatch(bytes);
      if (!full) {
        if (attempt > 1) this.warn(`engine log ${this.path}: space freed, runs carry on`);
        return;
      }
      if (attempt === 1)
        this.warn(
          `engine log ${this.path}: the disk is full (${full}); runs are paused until space frees, nothing is lost`,
        );
      await this.waitBeforeRetry(delay);
      if (this.closed)
        throw new StoreClosedError(`append: the store at ${this.dataDir} closed while the disk was full`);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  /** Resolves after `ms` on the store's timers, or at once when the store closes. */
  private waitBeforeRetry(ms: number): Promise<void> {
    const timers = this.options.timers ?? realTimers;
    return new Promise<void>((resolve) => {
      const wake = () => {
        this.stall = null;
        resolve();
      };
      this.stall = { timer: timers.setTimer(timers.now() + ms, wake), wake };
    });
  }

  private warn(line: string): void {
    (this.options.warn ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  /** Appends and fsyncs; returns the error code when the disk had no room (the file is as before). */
  private async writeBatch(bytes: Buffer): Promise<string | undefined> {
    try {
      let written = 0;
      while (written < bytes.length) {
        const result = await this.handle.write(bytes, written, bytes.length - written, this.end + written);
        written += result.bytesWritten;
      }
      await this.handle.datasync();
      this.end += bytes.length;
      this.commitCount += 1;
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== undefined && OUT_OF_SPACE.has(code) && (await this.cutBackToEnd())) return code;
      // After a failed write or fsync the page cache no longer tells us what is on disk, so the
      // only safe answer is to stop: reopening re-reads the log and drops any torn tail.
      throw this.fail('append', error);
    }
  }

  /**
   * Drops whatever part of a failed batch reached the file. Everything before `end` was fsync'd
   * earlier, so after a durable truncate the file holds exactly what was acknowledged.
   */
  private async cutBackToEnd(): Promise<boolean> {
    try {
      await this.handle.truncate(this.end);
      await this.handle.sync();
      return true;
    } catch {
      return false;
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
