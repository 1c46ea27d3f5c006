import { join } from 'node:path';
import { DataDirLock as PidLock } from '../../functions/shared/adapters/local/data-dir-lock.js';
import { StoreLockedError } from './errors.js';

export const LOCK_FILE = 'engine.lock';

/**
 * The engine log's claim on its data directory: two engines writing one log would interleave
 * frames and break the ordering contract. The same pid-file lock as every other local data
 * directory, raising the store's own error.
 */
export class DataDirLock {
  private constructor(private readonly lock: PidLock) {}

  get path(): string {
    return this.lock.path;
  }

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const lock = PidLock.acquire(
      join(dataDir, LOCK_FILE),
      `data directory ${dataDir}`,
      (message) => new StoreLockedError(message),
    );
    return new DataDirLock(lock);
  }

  async release(): Promise<void> {
    this.lock.release();
  }
}
