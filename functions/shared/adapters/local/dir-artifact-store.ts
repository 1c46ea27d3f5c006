import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ImmutableConflictError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { ArtifactStore, IngestResult } from '../../ports/artifact-store.js';
import {
  assertBody,
  assertBytesSource,
  assertPointerValue,
  BLOB_PREFIX,
  toBytes,
} from '../artifact-input.js';
import { assertKey, assertPrefix } from '../artifact-key.js';
import { isCode, publishNoReplace, publishReplace, tempPath, writeTempFile } from './durable-file.js';

/** Big reads keep syscall and hashing overhead per byte close to sha256sum's. */
const READ_CHUNK = 1024 * 1024;

/**
 * The local artifact store: `<root>/<key>` files, temp files in `<root>/.tmp` (same filesystem, so
 * link and rename stay atomic). Immutable objects are published with link(2), which never replaces,
 * and left read-only so a pointer write cannot clobber them.
 */
export class DirArtifactStore implements ArtifactStore {
  private readonly root: string;
  private readonly tmpDir: string;

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir.trim() === '')
      throw new InvalidInputError('DirArtifactStore needs a root directory');
    this.root = resolve(rootDir);
    this.tmpDir = join(this.root, '.tmp');
  }

  async ingest(source: Readable): Promise<IngestResult> {
    assertBytesSource(source);
    await mkdir(this.tmpDir, { recursive: true });
    const tmp = tempPath(this.tmpDir);
    const handle = await open(tmp, 'wx');
    const hash = createHash('sha256');
    let size = 0;
    // One write stays in flight while the next chunk is hashed, so hashing and disk I/O overlap.
    let pending: Promise<void> | undefined;
    try {
      for await (const chunk of source) {
        const bytes = toBytes(chunk);
        hash.update(bytes);
        size += bytes.byteLength;
        await pending;
        pending = writeAll(handle, bytes);
      }
      await pending;
      await handle.sync();
    } catch (error) {
      await pending?.catch(() => undefined);
      await handle.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    await handle.close();
    const digest = `sha256:${hash.digest('hex')}`;
    const key = `${BLOB_PREFIX}${digest.slice(7)}`;
    await chmod(tmp, 0o444);
    const created = await publishNoReplace(tmp, this.path(key));
    return { key, digest, size, created };
  }

  async putImmutable(
    key: string,
    body: Uint8Array | string,
    contentType?: string,
  ): Promise<{ created: boolean }> {
    assertKey(key);
    assertBody(key, body, contentType);
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const tmp = await writeTempFile(this.tmpDir, bytes);
    await chmod(tmp, 0o444);
    if (await publishNoReplace(tmp, this.path(key))) return { created: true };
    const existing = await readFile(this.path(key));
    if (Buffer.compare(existing, bytes) === 0) return { created: false };
    throw new ImmutableConflictError(
      `${key} already exists with different content; immutable objects are written once`,
    );
  }

  async putPointer(key: string, value: unknown): Promise<void> {
    assertKey(key);
    const json = assertPointerValue(key, value);
    const existing = await stat(this.path(key)).catch((error) =>
      isMissing(error) ? undefined : Promise.reject(error),
    );
    if (existing && (existing.mode & 0o222) === 0)
      throw new ImmutableConflictError(`${key} is an immutable object; a pointer cannot replace it`);
    const tmp = await writeTempFile(this.tmpDir, json);
    await publishReplace(tmp, this.path(key));
  }

  async getPointer<T>(key: string): Promise<T | undefined> {
    const text = await this.getText(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InvalidInputError(`${key} is not a JSON pointer document`);
    }
  }

  async open(key: string): Promise<Readable> {
    assertKey(key);
    try {
      const handle = await open(this.path(key), 'r');
      return handle.createReadStream({ highWaterMark: READ_CHUNK });
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`artifact ${key} does not exist`);
      throw error;
    }
  }

  async getText(key: string): Promise<string | undefined> {
    assertKey(key);
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    assertKey(key);
    try {
      return (await stat(this.path(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertPrefix(prefix);
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const keys: string[] = [];
    await this.walk(base, keys);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  private async walk(dirKey: string, into: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.path(dirKey), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // temp files, never keys
      const key = `${dirKey}${entry.name}`;
      if (entry.isDirectory()) await this.walk(`${key}/`, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  private path(key: string): string {
    return join(this.root, key);
  }
}

/** write(2) may write less than asked (e.g. near a full disk); a short write must not truncate a blob. */
async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    if (bytesWritten === 0) throw new Error('write made no progress');
    offset += bytesWritten;
  }
}

function isMissing(error: unknown): boolean {
  return isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR');
}
