import { randomUUID } from 'node:crypto';
import { link, mkdir, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '../../errors.js';

/**
 * Crash-safe file primitives for the local adapters. Content is always written to a temp file in the
 * same filesystem and fsync'd first, so a reader never sees a half-written object, even after kill -9.
 */

/** Writes `data` to a fresh temp file under `tmpDir`, fsync'd; returns its path. */
export async function writeTempFile(tmpDir: string, data: Uint8Array | string): Promise<string> {
  await mkdir(tmpDir, { recursive: true });
  const path = tempPath(tmpDir);
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return path;
}

export function tempPath(tmpDir: string): string {
  return join(tmpDir, `${process.pid}-${randomUUID()}.tmp`);
}

/**
 * Publishes `tmp` at `target` unless `target` already exists. link(2) fails with EEXIST instead of
 * replacing, which rename(2) would do silently; that is what makes the publish "no-replace" even
 * against a concurrent writer. The temp file is removed either way.
 */
export async function publishNoReplace(tmp: string, target: string): Promise<boolean> {
  try {
    await makeParent(target);
    await link(tmp, target);
    await syncDir(dirname(target));
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** Atomically replaces `target` with `tmp` (rename is atomic within one filesystem). */
export async function publishReplace(tmp: string, target: string): Promise<void> {
  try {
    await makeParent(target);
    await rename(tmp, target);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await syncDir(dirname(target));
}

/** S3 allows both `a` and `a/b` as keys; a filesystem cannot, so that case gets its own error. */
async function makeParent(target: string): Promise<void> {
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (error) {
    if (isCode(error, 'EEXIST') || isCode(error, 'ENOTDIR'))
      throw new InvalidInputError(`${target} cannot be stored: a parent of it is already a file`, {
        cause: error,
      });
    throw error;
  }
}

/** A new directory entry is only durable once the directory itself is fsync'd. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
