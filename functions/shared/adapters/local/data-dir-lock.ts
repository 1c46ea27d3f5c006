import fs from 'node:fs';
import { LockConflictError } from '../../errors.js';

/**
 * A pid file next to a data directory. PGlite itself does not stop two processes from opening the
 * same directory (its postmaster.pid is not checked), and two writers corrupt it, so Tollgate does.
 */
export class DataDirLock {
  private held = false;

  private constructor(readonly path: string) {}

  /** Takes the lock or throws LockConflictError naming the holder's pid. Clears a dead holder's lock. */
  static acquire(path: string, what: string): DataDirLock {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        const fd = fs.openSync(path, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        const lock = new DataDirLock(path);
        lock.held = true;
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(path);
      if (holder !== undefined && isAlive(holder)) {
        throw new LockConflictError(
          `${what} is locked by pid ${holder}${holder === process.pid ? ' (this process)' : ''} (${path}); stop that process first`,
        );
      }
      // The holder died without cleaning up (kill -9): its lock protects nothing.
      fs.rmSync(path, { force: true });
    }
    throw new LockConflictError(`${what}: could not take ${path} after clearing a stale lock; retry`);
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
