import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { InvalidInputError, NotFoundError, SnapshotFailedError } from '../../errors.js';
import type { RestScan } from '../../ports/snapshot-provider.js';
import { VOLUME_NAME } from '../../snapshots/validate-request.js';
import { localSocketDatabaseUrl, newDatabasePassword } from './database-password.js';
import { copyDataDir } from './file-copy.js';
import { scanFiles } from './forensic-scan.js';
import { privatizeFiles } from './incremental-copy.js';
import { readJson, writeJson } from './json-file.js';
import { queryRows } from './pg-shared-session.js';
import { PgWireServer } from './pg-wire-server.js';
import type { PGliteThreadPool } from './pglite-thread-pool.js';
import type { ThreadedPGlite } from './threaded-pglite.js';

/**
 * `wal_recycle=off`: a checkpoint deletes WAL segments it no longer needs instead of renaming them
 * to future names, where their old bytes (production's inserts, the masking UPDATE's full-page
 * images) would sit until overwritten. Measured: with recycling on, all 5,000 original e-mails of a
 * masked table were still in a recycled segment after VACUUM FULL and two checkpoints; off, none.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB', '-c', 'wal_recycle=off'];

const WAL_SEGMENT = /^[0-9A-F]{24}$/;

/** The masking task and its checks; PGlite runs one statement at a time regardless. */
const MAX_CONNECTIONS = 8;

interface Open {
  readonly db: ThreadedPGlite;
  readonly server: PgWireServer;
  readonly socketDir: string;
  readonly url: string;
}

/** Written beside a staged volume once it is at rest and its scan found nothing. */
interface VerifiedRecord {
  readonly at: string;
  readonly scan: RestScan;
}

/**
 * Clones prepared out of reach: `<snapshots>/staging/<clone>/<target>/` is never served on an
 * environment's port. The masking tasks reach it over a Unix socket in a fresh 0700 directory
 * (nobody else on the machine can connect), with a password made for that opening. Its PGlite
 * runs in a worker thread of its own, as a served volume's does: the masking UPDATE, the scrub's
 * checkpoints and the start stay off the runtime's event loop. Only a volume brought to rest and
 * scanned clean may leave (see `take`), so a half-prepared or half-masked one left by a crash is
 * never served: the next refresh of the same target discards it.
 */
export class StagingArea {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly dir: string,
    /** The host's pool: a staged clone starts on the same threads as the served volumes. */
    private readonly pool: PGliteThreadPool,
  ) {}

  volumeDir(clone: string, target: string): string {
    for (const n of [clone, target]) {
      if (!VOLUME_NAME.test(n)) throw new InvalidInputError(`"${n}" is not a valid staging name`);
    }
    return path.join(this.dir, clone, target);
  }

  has(clone: string, target: string): boolean {
    return fs.existsSync(path.join(this.volumeDir(clone, target), 'PG_VERSION'));
  }

  /** Fills the staging volume from `fromDir` (a copy, or a rename when the source is single-use). */
  async prepare(clone: string, target: string, fromDir: string, move: boolean): Promise<void> {
    await this.discardOthers(clone, target);
    await this.close(clone, target);
    const dest = this.volumeDir(clone, target);
    fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
    fs.rmSync(this.verifiedPath(clone, target), { force: true });
    fs.rmSync(dest, { recursive: true, force: true });
    const tmp = `${dest}.tmp`;
    fs.rmSync(tmp, { recursive: true, force: true });
    // Masking writes these files: none may stay shared (hard-linked) with another snapshot's.
    if (move) {
      privatizeFiles(fromDir);
      fs.renameSync(fromDir, tmp);
    } else copyDataDir(fromDir, tmp);
    fs.renameSync(tmp, dest);
  }

  /** A private connection to the staged volume, opening it on first use. */
  async connect(clone: string, target: string): Promise<string> {
    const key = `${clone}/${target}`;
    const existing = this.open.get(key);
    if (existing) return existing.url;
    if (!this.has(clone, target)) {
      throw new NotFoundError(`staged volume "${target}" of clone "${clone}" does not exist (discarded?)`);
    }
    // Opening writes WAL and may change any file: an earlier clean scan no longer holds.
    fs.rmSync(this.verifiedPath(clone, target), { force: true });
    const db = await openScrubbed(this.volumeDir(clone, target), this.pool);
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-stage-'));
    fs.chmodSync(socketDir, 0o700);
    const password = newDatabasePassword();
    const server = new PgWireServer({
      db,
      path: path.join(socketDir, '.s.PGSQL.5432'),
      maxConnections: MAX_CONNECTIONS,
      password,
    });
    try {
      await server.start();
    } catch (error) {
      await db.close().catch(() => undefined);
      fs.rmSync(socketDir, { recursive: true, force: true });
      throw error;
    }
    const url = localSocketDatabaseUrl(socketDir, password);
    this.open.set(key, { db, server, socketDir, url });
    return url;
  }

  /**
   * Brings the staged volume to rest with no old WAL left: a WAL switch and two checkpoints move the
   * redo point into a fresh, zero-filled segment, so every segment that held earlier records is
   * deleted (recycling is off); then a clean shutdown. Then scans every file for `needles`.
   */
  async sealAndScan(clone: string, target: string, needles: readonly string[], at: Date): Promise<RestScan> {
    const key = `${clone}/${target}`;
    const db = this.open.get(key)?.db ?? (await openScrubbed(this.volumeDir(clone, target), this.pool));
    await db.exec('SELECT pg_switch_wal()');
    await db.exec('CHECKPOINT');
    await db.exec('CHECKPOINT');
    if (this.open.has(key)) await this.close(clone, target);
    else await db.close();
    const scan = await scanFiles(this.volumeDir(clone, target), needles);
    if (scan.kind === 'scanned' && scan.found === 0) {
      writeJson(this.verifiedPath(clone, target), { at: at.toISOString(), scan } satisfies VerifiedRecord);
    }
    return scan;
  }

  /**
   * Hands the staged volume's directory over for publishing, only if it was scanned clean at rest
   * and not opened since.
   */
  async take(clone: string, target: string): Promise<string> {
    await this.close(clone, target);
    if (!readJson<VerifiedRecord>(this.verifiedPath(clone, target))) {
      throw new InvalidInputError(
        `staged volume "${target}" of clone "${clone}" has not passed verify-masking at rest; it is not published`,
      );
    }
    return this.volumeDir(clone, target);
  }

  /** Removes a clone's staging directory (after publishing, or when a newer refresh replaces it). */
  async discard(clone: string): Promise<void> {
    for (const key of [...this.open.keys()].filter((k) => k.startsWith(`${clone}/`))) {
      await this.close(clone, key.slice(clone.length + 1));
    }
    fs.rmSync(path.join(this.dir, clone), { recursive: true, force: true });
  }

  async closeAll(): Promise<void> {
    for (const key of [...this.open.keys()]) {
      const [clone, target] = key.split('/');
      await this.close(clone!, target!);
    }
  }

  private async close(clone: string, target: string): Promise<void> {
    const key = `${clone}/${target}`;
    const open = this.open.get(key);
    if (!open) return;
    this.open.delete(key);
    await open.server.stop();
    await open.db.close();
    fs.rmSync(open.socketDir, { recursive: true, force: true });
  }

  /** Other clones' staging volumes for the same target are leftovers of runs that never published. */
  private async discardOthers(clone: string, target: string): Promise<void> {
    for (const other of readDirSafe(this.dir)) {
      if (other === clone || !fs.existsSync(path.join(this.dir, other, target))) continue;
      await this.close(other, target);
      fs.rmSync(path.join(this.dir, other, target), { recursive: true, force: true });
      fs.rmSync(this.verifiedPath(other, target), { force: true });
      if (readDirSafe(path.join(this.dir, other)).length === 0)
        fs.rmSync(path.join(this.dir, other), { recursive: true });
    }
  }

  private verifiedPath(clone: string, target: string): string {
    return path.join(this.dir, clone, `${target}.verified.json`);
  }
}

/**
 * Opens a staged volume and deletes every WAL segment after the current one. A data directory
 * copied from production holds segments that production recycled to future names, full of its old
 * records; Postgres would write into them and leave their tails as they were. Deleted, they are
 * created afresh (zero-filled) when needed. Safe: Postgres opens a segment only when it reaches it.
 */
async function openScrubbed(dir: string, pool: PGliteThreadPool): Promise<ThreadedPGlite> {
  // Owner-only files, as for served volumes (the thread's PrivateNodeFS keeps new files at 0600).
  // A pooled thread, as a served volume's: a recycled one starts this PGlite for about half the CPU
  // of a new thread, and every refresh that stages opens one.
  const db = await pool.open(START_PARAMS, dir);
  try {
    const rows = await queryRows(db, 'SELECT pg_walfile_name(pg_current_wal_insert_lsn())');
    const current = rows[0]?.[0];
    if (!current)
      throw new SnapshotFailedError(`staged volume ${dir}: Postgres named no current WAL segment`);
    const walDir = path.join(dir, 'pg_wal');
    for (const name of readDirSafe(walDir)) {
      if (WAL_SEGMENT.test(name) && name > current) fs.rmSync(path.join(walDir, name), { force: true });
    }
    return db;
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

function readDirSafe(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
