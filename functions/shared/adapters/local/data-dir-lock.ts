import fs from 'node:fs';
import { LockConflictError } from '../../errors.js';
import { createPrivateFileOnce } from './private-file.js';

/**
 * An exclusive claim on a directory: a pid file, the one lock mechanism of every local data
 * directory (the runtime's, the engine log's, each PGlite volume's). PGlite itself does not stop two
 * processes from opening the same directory (its postmaster.pid is not checked), and two writers
 * corrupt it, so Tollgate does.
 *
 * The file is created whole with link(2), which fails if the name exists, so a reader never sees a
 * half-written pid. A lock left by a process that died (kill -9) is taken over. Known limit: if the
 * dead owner's pid was reused by an unrelated process, the lock reads as live and the error names
 * the file to delete.
 */
export class DataDirLock {
  private held = false;

  private constructor(readonly path: string) {}

  /**
   * Takes the lock or throws (LockConflictError unless the caller names its own error) naming the
   * holder's pid. Clears a dead holder's lock.
   */
  static acquire(
    path: string,
    what: string,
    conflict: (message: string) => Error = (message) => new LockConflictError(message),
  ): DataDirLock {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      if (createPrivateFileOnce(path, `${process.pid}\n`)) {
        const lock = new DataDirLock(path);
        lock.held = true;
        return lock;
      }
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder)) {
        throw conflict(
          `${what} is locked by pid ${holder}${holder === process.pid ? ' (this process)' : ''} (${path}); stop that process first`,
        );
      }
      // The holder died without cleaning up (kill -9), or the file holds no pid: it protects nothing.
      fs.rmSync(path, { force: true });
    }
    throw conflict(`${what}: could not take ${path}, it keeps changing hands; retry`);
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    if (readHolder(this.path) === process.pid) fs.rmSync(this.path, { force: true });
  }
}

function readHolder(path: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists (signal 0 probes without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else; it still holds the directory.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
