import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InvalidInputError, NotFoundError, SnapshotFailedError } from '../../errors.js';
import { VOLUME_NAME } from '../../snapshots/validate-request.js';
import { DataDirLock } from './data-dir-lock.js';
import { loadOrCreateDatabasePassword, localDatabaseUrl } from './database-password.js';
import { clusterCacheDir, fillWithEmptyCluster, isTemplateDir } from './empty-cluster.js';
import { copyDataDir, probeCopyTools } from './file-copy.js';
import { type CopyCounts, privatizeFiles, returnMoved } from './incremental-copy.js';
import { readJson, writeJson } from './json-file.js';
import { PgWireServer } from './pg-wire-server.js';
import { type PGliteThreadPool, pgliteThreadPool } from './pglite-thread-pool.js';
import { ensurePrivateDir } from './private-file.js';
import { makeTreePrivate } from './private-node-fs.js';
import { ThreadedPGlite } from './threaded-pglite.js';
import {
  manifestOfCopy,
  readVolumeManifest,
  type SnapshotFiles,
  type VolumeManifest,
} from './volume-manifest.js';
import {
  commitRefill,
  pendingRefill,
  type RefillPlan,
  refillVolume,
  rollbackRefill,
} from './volume-refill.js';

export interface VolumeHostOptions {
  /** Tollgate's data directory (`.tollgate`); volumes live in `<dataDir>/volumes/<name>/`. */
  readonly dataDir: string;
  /** Loopback only: environment databases are never exposed beyond this machine. */
  readonly host?: string;
  /** Concurrent wire-protocol clients per volume; PGlite runs one query at a time regardless. */
  readonly maxConnections?: number;
  /**
   * Postgres `shared_buffers` per volume. PGlite's own 128MB is committed as WASM memory by every
   * served volume and zeroed on every start; 32MB measured about 110 MiB less RSS per volume and a
   * start up to twice as fast, with the same time for a 200k-row UPDATE (the OS page cache sits
   * behind PGlite's file reads either way).
   * @default '32MB'
   */
  readonly sharedBuffers?: string;
  /** Where new volumes' empty cluster is kept between uses. @default `clusterCacheDir()` */
  readonly clusterCacheDir?: string;
  /**
   * Take PGlite threads from the process's pool (pglite-thread-pool.ts) and give them back when a
   * volume closes: there a thread closes its PGlite and starts the next one up to the point where
   * it needs a data directory, so the restart of a refreshed volume pays only for Postgres starting
   * on its data (about half of a cold start, see pglite-warm-start.ts), and none of a new thread's
   * start. A spare is kept ready while any volume is served. Costs up to two idle PGlites' memory
   * per process (the pool's bound). Off: every start is cold, in a thread of its own, ended on close.
   * @default true
   */
  readonly warmStart?: boolean;
  /**
   * The threads volumes start on, staged clones included. @default the process-wide pool, shared by
   * every host in the process (a volume restarts on a spare another host left); a test that counts
   * threads or spares gives a pool of its own.
   */
  readonly threadPool?: PGliteThreadPool;
}

/** How `VolumeHost.replace` fills a volume: copy the source, or move it into place (single use). */
export const FillMode = { Copy: 'copy', Move: 'move' } as const;
export type FillMode = (typeof FillMode)[keyof typeof FillMode];

type Swap =
  | { readonly how: 'renamed' | 'copied' }
  | { readonly how: 'refilled'; readonly plan: RefillPlan; readonly counts: CopyCounts };

interface ServedVolume {
  /** Each volume's PGlite runs in a worker thread of its own, off the runtime's event loop. */
  readonly db: ThreadedPGlite;
  readonly server: PgWireServer;
  readonly port: number;
  readonly password: string;
}

/**
 * Owns every PGlite volume this Tollgate process serves: one PGlite per environment, each behind a
 * Postgres wire-protocol listener so apps and checks use an ordinary `pg` client. One instance per
 * process; the lock files stop a second process (or a second host) opening the same directories.
 *
 * Volumes are private to the user running Tollgate: `volumes/` and every directory in it are 0700,
 * every file 0600 (fixed on open and on replace, kept so by PrivateNodeFS), and each listener
 * demands the volume's password (`<dataDir>/secrets/postgres-<name>.json`, see database-password.ts).
 */
export class VolumeHost {
  readonly volumesDir: string;
  private readonly dataDir: string;
  private readonly host: string;
  private readonly maxConnections: number;
  /** What every PGlite of this host starts with (the bench starts its own with the same). */
  readonly startParams: readonly string[];
  private readonly clusterCacheDir: string | undefined;
  private readonly served = new Map<string, ServedVolume>();
  private readonly locks = new Map<string, DataDirLock>();
  private readonly deleting = new Map<string, Promise<void>>();
  private trashCount = 0;
  /** Volumes a `replace` is swapping right now: their leftovers are its, not a crash's. */
  private readonly replacing = new Set<string>();
  private readonly warmStart: boolean;
  readonly threadPool: PGliteThreadPool;
  private starts = { warm: 0, cold: 0 };

  constructor(options: VolumeHostOptions) {
    if (!options?.dataDir) throw new InvalidInputError('VolumeHost needs a dataDir');
    this.dataDir = path.resolve(options.dataDir);
    this.volumesDir = path.join(this.dataDir, 'volumes');
    this.host = options.host ?? '127.0.0.1';
    this.maxConnections = options.maxConnections ?? 16;
    this.clusterCacheDir = options.clusterCacheDir && path.resolve(options.clusterCacheDir);
    // Once per process, here rather than in the first refresh's copy (see probeCopyTools).
    probeCopyTools();
    if (options.warmStart !== undefined && typeof options.warmStart !== 'boolean') {
      throw new InvalidInputError(
        `VolumeHost warmStart must be true or false, got ${String(options.warmStart)}`,
      );
    }
    this.warmStart = options.warmStart ?? true;
    this.threadPool = options.threadPool ?? pgliteThreadPool;
    const sharedBuffers = options.sharedBuffers ?? '32MB';
    if (!/^[1-9]\d{0,5}(kB|MB|GB)$/.test(sharedBuffers)) {
      throw new InvalidInputError(
        `VolumeHost sharedBuffers must look like "32MB" (a number and kB, MB or GB), got "${sharedBuffers}"`,
      );
    }
    // Appended after PGlite's defaults (single-user mode etc.), which must stay.
    this.startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`];
  }

  volumeDir(name: string): string {
    checkName(name);
    return path.join(this.volumesDir, name);
  }

  /**
   * What Tollgate last recorded of the volume's files (`volumes/<name>.files.json`), for copying
   * only what changed. Stale is safe: a file whose stat no longer matches counts as changed.
   */
  filesManifest(name: string): VolumeManifest | undefined {
    return readVolumeManifest(this.filesPath(name));
  }

  /**
   * Whether `dir` is this host's empty-cluster template: a volume's manifest points there for the
   * files it still has as copied from it, and a snapshot may link them from there (they never change).
   */
  isTemplateDir(dir: string): boolean {
    return isTemplateDir(dir, this.clusterCacheDir ?? clusterCacheDir());
  }

  /** Called by a snapshot of the volume, with the stat of each file it copied and that file's gen. */
  recordFiles(name: string, manifest: VolumeManifest): void {
    writeJson(this.filesPath(name), manifest, { compact: true });
  }

  /**
   * The snapshot directory a fill last moved files out of into this volume: a single-use clone
   * re-run after a crash finds its work done here (its snapshot no longer holds those files).
   */
  filledFrom(name: string): string | undefined {
    return readJson<{ from: string }>(this.filledPath(name))?.from;
  }

  private filledPath(name: string): string {
    checkName(name);
    return path.join(this.volumesDir, `${name}.filled.json`);
  }

  /** An in-place refill's plan, present from its first change until its commit (see volume-refill.ts). */
  private intentPath(name: string): string {
    checkName(name);
    return path.join(this.volumesDir, `.refill-${name}.json`);
  }

  /** The files an in-place refill replaced or dropped, until the new data is served. */
  private backupPath(name: string): string {
    checkName(name);
    return path.join(this.volumesDir, `.backup-${name}`);
  }

  private filesPath(name: string): string {
    checkName(name);
    return path.join(this.volumesDir, `${name}.files.json`);
  }

  exists(name: string): boolean {
    this.recover(name);
    return fs.existsSync(path.join(this.volumeDir(name), 'PG_VERSION'));
  }

  isServed(name: string): boolean {
    return this.served.has(name);
  }

  servedNames(): string[] {
    return [...this.served.keys()];
  }

  portOf(name: string): number | undefined {
    return this.served.get(name)?.port;
  }

  connectionString(name: string): string {
    const volume = this.served.get(name);
    if (!volume) throw new NotFoundError(`volume "${name}" is not being served; open it first`);
    return localDatabaseUrl(this.host, volume.port, volume.password);
  }

  /** Opens (creating an empty database on first use) and serves the volume on `port` (0 = any free port). */
  async open(name: string, port: number): Promise<string> {
    checkName(name);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new InvalidInputError(`volume "${name}": port must be an integer 0-65535, got ${port}`);
    }
    if (this.served.has(name))
      throw new InvalidInputError(`volume "${name}" is already open in this process`);
    this.takeLock(name);
    try {
      this.recover(name);
      return await this.serve(name, port);
    } catch (error) {
      this.dropLock(name);
      throw error;
    }
  }

  /** Starts the volume's PGlite and serves it: on `listener` (suspended by `replace`) or a new one. */
  private async serve(
    name: string,
    port: number,
    listener?: PgWireServer,
    options: { knownPrivate?: boolean } = {},
  ): Promise<string> {
    ensurePrivateDir(this.volumesDir);
    const password = await loadOrCreateDatabasePassword(this.dataDir, name);
    const dir = this.volumeDir(name);
    if (isAbsentOrEmpty(dir)) {
      fs.rmSync(dir, { recursive: true, force: true });
      const filled = await fillWithEmptyCluster(dir, this.startParams, { cacheDir: this.clusterCacheDir });
      if (filled) this.recordFiles(name, manifestOfCopy(dir, filled.templateDir, filled.files));
    }
    // An existing volume may predate this (initdb left it 0666); PrivateNodeFS keeps it so from here.
    // A refill leaves it private (kept files were, snapshots are): no pass over every file then.
    if (!options.knownPrivate) makeTreePrivate(dir);
    const db = await this.startPGlite(dir);
    try {
      if (listener) {
        await listener.resume(db);
        this.served.set(name, { db, server: listener, port, password });
        this.prepareWarm();
        return this.connectionString(name);
      }
      const server = new PgWireServer({
        db,
        port,
        host: this.host,
        maxConnections: this.maxConnections,
        password,
      });
      const actual = await server.start().catch((error: NodeJS.ErrnoException) => {
        throw new SnapshotFailedError(
          `volume "${name}": cannot listen on ${this.host}:${port} (${error.code ?? error.message})`,
          { cause: error },
        );
      });
      this.served.set(name, { db, server, port: actual, password });
      this.prepareWarm();
      return this.connectionString(name);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  }

  /** How many PGlite starts used a warm PGlite and how many started from nothing. */
  startCounts(): { warm: number; cold: number } {
    return { ...this.starts };
  }

  /** Resolves once the pool's spare for this host (if one is being prepared) waits for a data directory. */
  async warmReady(): Promise<void> {
    if (this.warmStart) await this.threadPool.whenReady(this.startParams);
  }

  /**
   * A pooled thread takes the volume: warm if its PGlite has finished its part, cold otherwise
   * (a thread still warming up, or a new one). With warm start off, a thread of its own, cold.
   */
  private async startPGlite(dir: string): Promise<ThreadedPGlite> {
    if (!this.warmStart) {
      this.starts.cold += 1;
      return ThreadedPGlite.open(dir, this.startParams);
    }
    this.starts[this.threadPool.hasReady(this.startParams) ? 'warm' : 'cold'] += 1;
    return this.threadPool.open(this.startParams, dir);
  }

  /** Off the critical path: after a volume is served, the next restart's first half starts. */
  private prepareWarm(): void {
    if (this.warmStart) this.threadPool.prepare(this.startParams);
  }

  /** Stops serving the volume; its PGlite's thread goes back to the pool (see ThreadedPGlite.close). */
  async close(name: string): Promise<void> {
    await this.stopServing(name);
    this.dropLock(name);
  }

  /**
   * Closes the volume's PGlite but keeps its listener, suspended: clients connecting during the
   * refresh wait for the new data instead of finding the port closed (or taken by another process).
   */
  private async suspendServing(name: string): Promise<PgWireServer | undefined> {
    const volume = this.served.get(name);
    if (!volume) return undefined;
    this.served.delete(name);
    await volume.server.suspend();
    await volume.db.close();
    return volume.server;
  }

  private async stopServing(name: string): Promise<void> {
    const volume = this.served.get(name);
    if (!volume) return;
    this.served.delete(name);
    await volume.server.stop();
    await volume.db.close();
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.served.keys()]) await this.close(name);
    for (const name of [...this.locks.keys()]) this.dropLock(name);
    await this.idle();
  }

  /**
   * Runs `fn` while none of `names` can change: served volumes are checkpointed (in their threads),
   * then held inside their exclusive sections, so queued wire-protocol queries wait on this thread
   * and nothing reaches their PGlite; unserved ones are locked.
   */
  async withQuiesced<T>(names: readonly string[], fn: (dirs: Record<string, string>) => T): Promise<T> {
    const dirs: Record<string, string> = {};
    const borrowed: string[] = [];
    try {
      for (const name of names) {
        if (!this.served.has(name)) {
          if (!this.locks.has(name)) {
            this.takeLock(name);
            borrowed.push(name);
          }
          if (!this.exists(name))
            throw new NotFoundError(`volume "${name}" does not exist in ${this.volumesDir}`);
        }
        dirs[name] = this.volumeDir(name);
      }
      const dbs = names.flatMap((n) => {
        const v = this.served.get(n);
        return v ? [v.db] : [];
      });
      // A checkpoint makes the copy clean; without it the copy is still crash-consistent (WAL replays).
      for (const db of dbs) await db.exec('CHECKPOINT');
      const hold = (i: number): Promise<T> =>
        i === dbs.length ? Promise.resolve().then(() => fn(dirs)) : dbs[i].runExclusive(() => hold(i + 1));
      return await hold(0);
    } finally {
      for (const name of borrowed) this.dropLock(name);
    }
  }

  /**
   * Replaces a volume's data directory with `fromDir`. A served volume is stopped first and served
   * again on the same port afterwards.
   * - `copy` copies `fromDir` into a temp dir and swaps it in by rename; `fromDir` is left as it was.
   * - `move` renames `fromDir` itself into place: no data is copied, and `fromDir` is gone afterwards.
   * - with `fromFiles` (the gens of a snapshot's files), only what differs is written: the temp dir
   *   links every file the volume still holds as Tollgate wrote it with the same gen, and takes the
   *   rest from `fromDir` (`move`: renamed out of it where no other snapshot shares the file).
   * Either way a crash leaves the old or the new volume, never half of one (see `recover`), and a
   * re-run finishes the job.
   */
  async replace(
    name: string,
    fromDir: string,
    mode: FillMode = FillMode.Copy,
    fromFiles?: SnapshotFiles,
  ): Promise<CopyCounts | undefined> {
    checkName(name);
    if (mode !== FillMode.Copy && mode !== FillMode.Move) {
      throw new InvalidInputError(
        `volume "${name}": fill mode must be "copy" or "move", got "${String(mode)}"`,
      );
    }
    if (!fromFiles && !fs.existsSync(path.join(fromDir, 'PG_VERSION'))) {
      throw new NotFoundError(`cannot replace volume "${name}": ${fromDir} is not a Postgres data directory`);
    }
    const port = this.served.get(name)?.port;
    const hadLock = this.locks.has(name);
    this.takeLock(name);
    let listener: PgWireServer | undefined;
    try {
      if (port !== undefined) listener = await this.suspendServing(name);
      ensurePrivateDir(this.volumesDir);
      this.recover(name);
      // From here until the old data is discarded, recover() must not finish what this replace does.
      this.replacing.add(name);
      let swap: Swap | undefined;
      try {
        swap = this.swapIn(name, fromDir, mode, fromFiles);
        // serve() does it for a served volume; an unserved one must not wait for its next open.
        if (port === undefined) makeTreePrivate(this.volumeDir(name));
        // Served before the old data goes: a snapshot PGlite cannot open must not cost the old volume.
        if (port !== undefined)
          await this.serve(name, port, listener, { knownPrivate: swap.how === 'refilled' });
      } catch (error) {
        await this.undoSwap(name, fromDir, swap, port, listener);
        throw error;
      }
      this.discard(name, path.join(this.volumesDir, `.old-${name}`));
      this.discard(name, this.backupPath(name));
      if (mode === FillMode.Move && swap.how === 'copied')
        fs.rmSync(fromDir, { recursive: true, force: true });
      return swap.how === 'refilled' ? swap.counts : undefined;
    } finally {
      this.replacing.delete(name);
      // Neither the new data nor the old could be served again: the port is given up.
      if (listener && this.served.get(name)?.server !== listener) await listener.stop();
      if (!hadLock && !this.served.has(name)) this.dropLock(name);
    }
  }

  /** Puts the new data back where it came from (or drops a copy) and serves the old volume again. */
  private async undoSwap(
    name: string,
    fromDir: string,
    swap: Swap | undefined,
    port?: number,
    listener?: PgWireServer,
  ) {
    const target = this.volumeDir(name);
    fs.rmSync(path.join(this.volumesDir, `.tmp-${name}`), { recursive: true, force: true });
    if (swap?.how === 'renamed') fs.renameSync(target, fromDir);
    if (swap?.how === 'copied') this.discard(name, target);
    // Committed already (the intent is gone), so the plan in hand undoes it.
    const plan = swap?.how === 'refilled' ? swap.plan : pendingRefill(this.intentPath(name));
    if (plan) rollbackRefill(target, plan);
    commitRefill(this.intentPath(name));
    fs.rmSync(this.filesPath(name), { force: true });
    fs.rmSync(this.filledPath(name), { force: true });
    this.replacing.delete(name);
    this.recover(name);
    if (port !== undefined && this.exists(name)) await this.serve(name, port, listener);
  }

  /** Swaps `fromDir` in as the volume, the live directory going to `.old-<name>` (see `recover`). */
  private swapIn(name: string, fromDir: string, mode: FillMode, fromFiles?: SnapshotFiles): Swap {
    const target = this.volumeDir(name);
    const tmp = path.join(this.volumesDir, `.tmp-${name}`);
    const setAside = () => {
      if (fs.existsSync(target)) fs.renameSync(target, path.join(this.volumesDir, `.old-${name}`));
    };
    fs.rmSync(this.filledPath(name), { force: true });
    if (fromFiles) {
      // A crash mid-fill of an older Tollgate (which built the volume in tmp) left files renamed
      // out of the snapshot there: they go back first.
      if (fs.existsSync(tmp)) returnMoved(tmp, fromDir, Object.keys(fromFiles.files));
      fs.rmSync(tmp, { recursive: true, force: true });
      const refill = refillVolume({
        liveDir: target,
        manifest: fs.existsSync(target) ? this.filesManifest(name) : undefined,
        fromDir,
        fromFiles,
        move: mode === FillMode.Move,
        intentFile: this.intentPath(name),
        backupDir: this.backupPath(name),
      });
      // Before the commit, since rename keeps inodes and mtimes: should the refill be rolled back,
      // the entries of the files it brought name inodes the restored volume does not have.
      this.recordFiles(name, refill.manifest);
      commitRefill(this.intentPath(name));
      // After the commit: a re-run after a rollback must not take the clone's work for done.
      if (refill.moved > 0) writeJson(this.filledPath(name), { from: path.resolve(fromDir) });
      return { how: 'refilled', plan: refill.plan, counts: refill };
    }
    fs.rmSync(this.filesPath(name), { force: true });
    if (mode === FillMode.Move) {
      // Postgres will write these files: none may stay shared with another snapshot's.
      privatizeFiles(fromDir);
      setAside();
      try {
        fs.renameSync(fromDir, target);
        return { how: 'renamed' };
      } catch (error) {
        // Snapshots on another filesystem than the volumes: rename cannot cross, so copy below.
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    copyDataDir(fromDir, tmp);
    setAside();
    fs.renameSync(tmp, target);
    return { how: 'copied' };
  }

  /** Removes a volume for good; it must not be served. Its files are freed in the background. */
  remove(name: string): void {
    if (this.served.has(name))
      throw new InvalidInputError(`volume "${name}" is being served; close it first`);
    const borrowed = !this.locks.has(name);
    if (borrowed) this.takeLock(name);
    try {
      this.recover(name);
      this.discard(name, this.volumeDir(name));
      fs.rmSync(this.filesPath(name), { force: true });
      fs.rmSync(this.filledPath(name), { force: true });
    } finally {
      if (borrowed) this.dropLock(name);
    }
  }

  /** Resolves once every directory handed to the background deleter is gone (shutdown, tests). */
  async idle(): Promise<void> {
    while (this.deleting.size > 0) await Promise.allSettled([...this.deleting.values()]);
  }

  /**
   * Renames `dir` to a unique `.trash-<name>.*` and deletes it off the critical path: freeing a
   * 1 GiB volume took about a second here, time the refresh does not need to wait for.
   */
  private discard(name: string, dir: string): void {
    if (!fs.existsSync(dir)) return;
    this.trashCount += 1;
    const trash = path.join(this.volumesDir, `.trash-${name}.${process.pid}.${this.trashCount}`);
    fs.renameSync(dir, trash);
    const job = fs.promises
      .rm(trash, { recursive: true, force: true })
      // A failed delete leaves a `.trash-` dir that the next recover() of this volume removes.
      .catch(() => undefined)
      .finally(() => this.deleting.delete(trash));
    this.deleting.set(trash, job);
  }

  /**
   * Finishes or rolls back a swap that a crash interrupted: with the volume present, leftovers are
   * garbage; with only `.old-<name>` present, the swap never completed, so the old volume comes back.
   */
  private recover(name: string): void {
    if (this.replacing.has(name)) return;
    const target = path.join(this.volumesDir, name);
    const old = path.join(this.volumesDir, `.old-${name}`);
    const plan = pendingRefill(this.intentPath(name));
    if (plan) {
      rollbackRefill(target, plan);
      commitRefill(this.intentPath(name));
    }
    this.discard(name, this.backupPath(name));
    if (!fs.existsSync(target) && fs.existsSync(old)) fs.renameSync(old, target);
    this.discard(name, old);
    for (const entry of readDirSafe(this.volumesDir)) {
      const trash = path.join(this.volumesDir, entry);
      const mine = entry === `.trash-${name}` || entry.startsWith(`.trash-${name}.`);
      if (mine && !this.deleting.has(trash)) fs.rmSync(trash, { recursive: true, force: true });
    }
  }

  private takeLock(name: string): void {
    if (this.locks.has(name)) return;
    ensurePrivateDir(this.volumesDir);
    this.locks.set(name, DataDirLock.acquire(path.join(this.volumesDir, `${name}.lock`), `volume "${name}"`));
  }

  private dropLock(name: string): void {
    this.locks.get(name)?.release();
    this.locks.delete(name);
  }
}

function isAbsentOrEmpty(dir: string): boolean {
  return !fs.existsSync(dir) || readDirSafe(dir).length === 0;
}

function readDirSafe(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function checkName(name: string): void {
  if (typeof name !== 'string' || !VOLUME_NAME.test(name)) {
    throw new InvalidInputError(`"${String(name)}" is not a valid volume name (${VOLUME_NAME.source})`);
  }
}
