import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidInputError, LockConflictError } from '../../errors.js';
import type { LockTable, VersionedRecord } from '../../ports/lock-table.js';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MUTEX_RETRIES = 200;

/**
 * Compare-and-swap records as JSON files. A `.mutex` sidecar created with O_EXCL serialises
 * writers across processes; the record itself is replaced by rename, so readers never see half a
 * write. Within one process a promise chain per key avoids spinning on our own mutex.
 */
export class FileLockTable implements LockTable {
  private readonly root: string;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || !rootDir.trim())
      throw new InvalidInputError('FileLockTable needs a root directory');
    this.root = resolve(rootDir);
  }

  async get<T>(key: string): Promise<VersionedRecord<T> | undefined> {
    const text = await readFile(this.file(key), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return text === undefined ? undefined : (JSON.parse(text) as VersionedRecord<T>);
  }

  put<T>(key: string, value: T, expectedVersion: number): Promise<{ version: number }> {
    if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
      throw new InvalidInputError(`expectedVersion must be a non-negative integer, got ${expectedVersion}`);
    }
    const previous = this.chains.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.putLocked(key, value, expectedVersion));
    this.chains.set(key, next);
    return next;
  }

  private async putLocked<T>(key: string, value: T, expectedVersion: number): Promise<{ version: number }> {
    const file = this.file(key);
    await mkdir(this.root, { recursive: true });
    const release = await this.mutex(`${file}.mutex`);
    try {
      const current = await this.get<T>(key);
      const currentVersion = current?.version ?? 0;
      if (currentVersion !== expectedVersion) {
        throw new LockConflictError(
          `${key} is at version ${currentVersion}, not ${expectedVersion}; re-read and retry`,
        );
      }
      const record: VersionedRecord<T> = { value, version: expectedVersion + 1 };
      const temp = `${file}.${randomUUID()}.tmp`;
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(JSON.stringify(record));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
      return { version: record.version };
    } finally {
      await release();
    }
  }

  private async mutex(path: string): Promise<() => Promise<void>> {
    for (let attempt = 0; attempt < MUTEX_RETRIES; attempt++) {
      try {
        const handle = await open(path, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => unlink(path).catch(() => undefined);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        await this.breakIfStale(path);
        await new Promise((r) => setImmediate(r));
      }
    }
    throw new LockConflictError(`could not take ${path}; another process holds it`);
  }

  /** A mutex left by a process that died mid-write would block the pipeline forever. */
  private async breakIfStale(path: string): Promise<void> {
    const pid = Number(await readFile(path, 'utf8').catch(() => ''));
    if (!pid || pid === process.pid) return;
    try {
      process.kill(pid, 0);
    } catch {
      await unlink(path).catch(() => undefined);
    }
  }

  private file(key: string): string {
    if (typeof key !== 'string' || !KEY.test(key)) {
      throw new InvalidInputError(
        `lock key "${String(key)}" must match ${KEY} (letters, digits, ".", "_", "-")`,
      );
    }
    return join(this.root, `${key}.json`);
  }
}
