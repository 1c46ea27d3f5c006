import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AppProcess, isGroupAlive, processStartTime, type Sleeper } from './app-process.js';
import { publishReplace, writeTempFile } from './durable-file.js';

/** What Tollgate knows of an app process it started: enough to find and stop it after a crash. */
export interface AppRecord {
  readonly pid: number;
  readonly port: number;
  readonly version: string;
  /** /proc start time of the pid, so a reused pid is never taken for the app (undefined without /proc). */
  readonly startTime?: string;
  readonly at: string;
}

/**
 * One fsync'd file per app process an environment has started and not yet stopped
 * (`envs/<env>/apps/<pid>.json`). AppProcess.start lets the app run only after its record is
 * durable, so after any crash every app process that can exist is listed here; on start-up the
 * ones that are not the adopted active instance are stopped.
 */
export class AppRecords {
  constructor(private readonly dir: string) {}

  async record(entry: Omit<AppRecord, 'startTime'>): Promise<void> {
    const startTime = processStartTime(entry.pid);
    const value: AppRecord = { ...entry, ...(startTime ? { startTime } : {}) };
    const tmp = await writeTempFile(join(this.dir, '.tmp'), `${JSON.stringify(value)}\n`);
    await publishReplace(tmp, this.path(entry.pid));
  }

  async forget(pid: number): Promise<void> {
    await unlink(this.path(pid)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /**
   * Stops every recorded app but `keep` (the adopted instances: the release, and a canary beside
   * it) that still runs, and forgets it.
   * Returns the pids it stopped. A record whose pid now belongs to another program (its start
   * time differs) is forgotten without a signal.
   */
  async reap(
    keep: number | readonly number[] | undefined,
    graceMs: number,
    sleep: Sleeper,
  ): Promise<number[]> {
    const kept = new Set(typeof keep === 'number' ? [keep] : (keep ?? []));
    const names = await readdir(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const stopped: number[] = [];
    for (const name of names) {
      if (!/^\d+\.json$/.test(name)) continue;
      const record = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as AppRecord;
      if (kept.has(record.pid)) continue;
      const same = record.startTime === undefined || record.startTime === processStartTime(record.pid);
      if (same && isGroupAlive(record.pid)) {
        await AppProcess.adopt(record.pid, record.port, '').stop(graceMs, sleep);
        stopped.push(record.pid);
      }
      await this.forget(record.pid);
    }
    return stopped;
  }

  private path(pid: number): string {
    return join(this.dir, `${pid}.json`);
  }
}
