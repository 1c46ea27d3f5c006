import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InvalidInputError, LockConflictError } from '../../errors.js';
import type { KeyedRecord, LockTable, UnchangedRecord, VersionedRecord } from '../../ports/lock-table.js';

const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MUTEX_RETRIES = 200;

/**
 * Compare-and-swap records as JSON files, one per key. A `.mutex` sidecar created with O_EXCL
 * serialises writers across processes; the record itself is replaced by rename, so readers never
 * see half a write. A write conditioned on a second record holds both mutexes (taken in key order,
 * so two such writes cannot deadlock). Within one process a promise chain per key avoids spinning
 * on our own mutex.
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

  put<T>(
    key: string,
    value: T,
    expectedVersion: number,
    unchanged?: UnchangedRecord,
  ): Promise<{ version: number }> {
    assertVersion(expectedVersion);
    if (unchanged) {
      assertVersion(unchanged.version);
      if (unchanged.key === key) throw new InvalidInputError('a write cannot be conditioned on its own key');
    }
    const keys = unchanged ? [key, unchanged.key] : [key];
    return this.serialised(keys, async () => {
      if (unchanged) await this.expect(unchanged.key, unchanged.version);
      await this.expect(key, expectedVersion);
      const file = this.file(key);
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
    });
  }

  delete(key: string, expectedVersion: number): Promise<void> {
    assertVersion(expectedVersion);
    if (expectedVersion === 0) throw new InvalidInputError('delete needs the version of an existing record');
    return this.serialised([key], async () => {
      await this.expect(key, expectedVersion);
      await unlink(this.file(key));
    });
  }

  async list<T>(prefix: string): Promise<ReadonlyArray<KeyedRecord<T>>> {
    if (typeof prefix !== 'string' || !KEY.test(prefix)) this.file(String(prefix));
    const names = await readdir(this.root).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const keys = names
      .filter((n) => n.endsWith('.json') && n.startsWith(prefix))
      .map((n) => n.slice(0, -'.json'.length))
      .filter((k) => KEY.test(k))
      .sort();
    const records: KeyedRecord<T>[] = [];
    for (const key of keys) {
      // A record deleted between the listing and the read is simply gone.
      const record = await this.get<T>(key);
      if (record) records.push({ key, ...record });
    }
    return records;
  }

  private async expect(key: string, version: number): Promise<void> {
    const current = (await this.get(key))?.version ?? 0;
    if (current !== version) {
      throw new LockConflictError(`${key} is at version ${current}, not ${version}; re-read and retry`);
    }
  }

  /** Runs `work` holding the mutex of every key, in key order, after this process's earlier writes to them. */
  private serialised<R>(keys: string[], work: () => Promise<R>): Promise<R> {
    const files = [...new Set(keys)].sort().map((k) => this.file(k));
    const previous = Promise.all(
      files.map((f) => (this.chains.get(f) ?? Promise.resolve()).catch(() => undefined)),
    );
    const next = previous.then(async () => {
      await mkdir(this.root, { recursive: true });
      const releases: Array<() => Promise<void>> = [];
      try {
        for (const file of files) releases.push(await this.mutex(`${file}.mutex`));
        return await work();
      } finally {
        for (const release of releases.reverse()) await release();
      }
    });
    for (const file of files) this.chains.set(file, next);
    return next;
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

function assertVersion(version: number): void {
  if (!Number.isInteger(version) || version < 0) {
    throw new InvalidInputError(`expectedVersion must be a non-negative integer, got ${version}`);
  }
}
