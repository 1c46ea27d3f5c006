import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivateFileOnce } from '../../functions/shared/adapters/local/private-file.js';
import { StoreLockedError } from './errors.js';

export const LOCK_FILE = 'engine.lock';

/**
 * An exclusive claim on a data directory: a lock file holding the owner's pid. Two engines writing
 * one log would interleave frames and break the ordering contract, so a second opener is refused
 * while the owner lives. A lock left by a process that died (kill -9) is taken over.
 *
 * The lock file is created whole with link(2), which fails if the name exists, so a reader never
 * sees a half-written lock. Known limit: if the dead owner's pid has been reused by an unrelated
 * process, the lock reads as live and the error names the file to delete.
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly path: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await tryCreate(path)) return new DataDirLock(path);
      const owner = await readOwner(path);
      if (owner === 'gone') continue;
      if (owner !== null && isAlive(owner)) {
        throw new StoreLockedError(
          `data directory ${dataDir} is in use by process ${owner} (lock ${path}); stop it or use another data directory`,
        );
      }
      // The owner died without releasing; remove its lock and race for a fresh one.
      await unlink(path).catch(ignoreMissing);
    }
    throw new StoreLockedError(
      `could not lock data directory ${dataDir}: the lock ${path} keeps changing hands`,
    );
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    // Only remove the lock if it is still ours; a takeover after a long stall must not be undone.
    if ((await readOwner(this.path)) === process.pid) await unlink(this.path).catch(ignoreMissing);
  }
}

/** Creates the lock holding our pid, 0600, unless it exists (one mechanism with every private file). */
function tryCreate(path: string): Promise<boolean> {
  return createPrivateFileOnce(path, `${process.pid}\n`);
}

/** The pid in the lock, null when the content is not a pid, 'gone' when the lock vanished meanwhile. */
async function readOwner(path: string): Promise<number | null | 'gone'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, which still means the lock is held.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
