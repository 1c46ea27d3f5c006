import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillWithEmptyCluster } from '../../../../../../functions/shared/adapters/local/empty-cluster.js';
import {
  dataRows,
  queryMessage,
} from '../../../../../../functions/shared/adapters/local/pg-wire-messages.js';
import { PGliteThreadPool } from '../../../../../../functions/shared/adapters/local/pglite-thread-pool.js';
import type { PGliteWorker } from '../../../../../../functions/shared/adapters/local/pglite-worker.js';
import type { ThreadedPGlite } from '../../../../../../functions/shared/adapters/local/threaded-pglite.js';
import { tempDir } from '../../../../../support/pglite-server.js';

// vitest: own process. It counts the threads of the process-wide PGlite pool, which a file run
// before it in a shared worker thread can still be starting or ending.

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

async function query(db: ThreadedPGlite, sql: string): Promise<unknown[][]> {
  const chunks: Uint8Array[] = [];
  await db.runExclusive(() =>
    db.execProtocolRawStream(queryMessage(sql), { onRawData: (data) => chunks.push(data) }),
  );
  return dataRows(Buffer.concat(chunks));
}

const workerOf = (thread: PGliteWorker) => (thread as unknown as { worker: Worker }).worker;

describe('PGliteThreadPool', () => {
  const dir = tempDir('tollgate-thread-pool-');
  const volume = (name: string) => path.join(dir.path, name);

  beforeAll(async () => {
    for (const name of ['first', 'second', 'third']) {
      await fillWithEmptyCluster(volume(name), START_PARAMS);
    }
    // Each volume says which it is, so a thread serving the wrong one shows.
    const pool = new PGliteThreadPool(2);
    for (const name of ['first', 'second', 'third']) {
      const db = await pool.take(START_PARAMS).attach(volume(name));
      await db.exec(`CREATE TABLE whoami AS SELECT '${name}'::text AS name`);
      await db.close();
    }
    await pool.endIdle();
  });

  afterAll(() => dir.remove());

  it("serves the next volume from the same thread once the first closes, with that volume's data", async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const first = await pool.take(START_PARAMS).attach(volume('first'));
    const threadId = first.thread.threadId;
    expect(await query(first, 'SELECT name FROM whoami')).toEqual([['first']]);
    // Act
    await first.close();
    const second = await pool.take(START_PARAMS).attach(volume('second'));
    // Assert
    expect(second.thread.threadId).toBe(threadId);
    expect(second.thread.uses).toBe(2);
    expect(await query(second, 'SELECT name FROM whoami')).toEqual([['second']]);
    await expect(first.exec('SELECT 1')).rejects.toThrow(/^the PGlite of .*first is closed$/);
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 1, ended: 0, idle: 0 });
    await second.close();
    await pool.endIdle();
  });

  it('warms a recycled thread only when a spare is asked for, not while its volume closes', async () => {
    // Arrange: the warm-up is a core's worth of work; at close it would compete with the restart of
    // the same volume on the spare.
    const pool = new PGliteThreadPool(2);
    const first = await pool.take(START_PARAMS).attach(volume('first'));
    // Act
    await first.close();
    await pool.whenReady(START_PARAMS);
    const readyAfterClose = pool.hasReady(START_PARAMS);
    pool.prepare(START_PARAMS);
    await pool.whenReady(START_PARAMS);
    // Assert
    expect(readyAfterClose).toBe(false);
    expect(pool.hasReady(START_PARAMS)).toBe(true);
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 1, ended: 0, idle: 1 });
    const next = await pool.take(START_PARAMS).attach(volume('second'));
    expect(next.thread.threadId).toBe(first.thread.threadId);
    expect(await query(next, 'SELECT name FROM whoami')).toEqual([['second']]);
    await next.close();
    await pool.endIdle();
  });

  it('recycles a thread once when its volume is closed twice at the same time', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const db = await pool.take(START_PARAMS).attach(volume('first'));
    // Act
    await Promise.all([db.close(), db.close()]);
    // Assert: a thread kept twice would be handed to two volumes at once.
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 1, ended: 0, idle: 1 });
    await pool.endIdle();
  });

  it('ends a thread whose attach failed instead of recycling it', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const spare = pool.take(START_PARAMS);
    const empty = fs.mkdtempSync(path.join(dir.path, 'empty-'));
    await expect(spare.attach(empty)).rejects.toThrow(/is not a Postgres data directory/);
    // Act
    await spare.close();
    // Assert
    expect(spare.thread.isEnded).toBe(true);
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 0, ended: 1, idle: 0 });
  });

  it("opens a volume on a pooled thread, and on a failed attach ends the thread and rejects with the attach's error", async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const empty = fs.mkdtempSync(path.join(dir.path, 'empty-'));
    // Act
    const db = await pool.open(START_PARAMS, volume('first'));
    await db.close();
    const failed = pool.open(START_PARAMS, empty);
    // Assert
    await expect(failed).rejects.toThrow(/is not a Postgres data directory/);
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 1, ended: 1, idle: 0 });
  });

  it('ends a thread that dies while closing, fails the close with one line, and hands out another', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const db = await pool.take(START_PARAMS).attach(volume('first'));
    // Act: the thread is killed (an OOM kill, a WASM abort) while it closes its PGlite.
    const closing = db.close();
    await workerOf(db.thread).terminate();
    // Assert
    await expect(closing).rejects.toThrow(
      /^the PGlite thread of .* ended \(exit code 1\); the volume must be opened again$/,
    );
    expect(pool.countsNow()).toMatchObject({ recycled: 0, ended: 1, idle: 0 });
    const next = await pool.take(START_PARAMS).attach(volume('second'));
    expect(next.thread).not.toBe(db.thread);
    expect(await query(next, 'SELECT name FROM whoami')).toEqual([['second']]);
    await next.close();
    await pool.endIdle();
  });

  it('drops an idle spare whose thread crashed and never hands it out', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    pool.prepare(START_PARAMS);
    const crashed = pool.take(START_PARAMS);
    crashed.abandon();
    await crashed.whenReady();
    // Act
    await workerOf(crashed.thread).terminate();
    // Assert
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 0, ended: 1, idle: 0 });
    const next = pool.take(START_PARAMS);
    expect(next.thread).not.toBe(crashed.thread);
    next.abandon();
    await pool.endIdle();
  });

  it('keeps no more idle threads than its bound when more volumes close', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const dbs: ThreadedPGlite[] = [];
    for (const name of ['first', 'second', 'third'])
      dbs.push(await pool.take(START_PARAMS).attach(volume(name)));
    // Act
    for (const db of dbs) await db.close();
    // Assert
    expect(pool.countsNow()).toEqual({ started: 3, recycled: 2, ended: 1, idle: 2 });
    expect(dbs.map((db) => db.thread.isEnded)).toEqual([false, false, true]);
    await pool.endIdle();
    expect(dbs.every((db) => db.thread.isEnded)).toBe(true);
  });

  it('keeps spares for each set of start parameters apart', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2);
    const other = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB'];
    pool.prepare(START_PARAMS);
    await pool.whenReady(START_PARAMS);
    // Act
    const db = await pool.take(other).attach(volume('third'));
    // Assert
    expect(pool.countsNow()).toMatchObject({ started: 2, idle: 1 });
    expect(await query(db, 'SHOW shared_buffers')).toEqual([['16MB']]);
    expect(pool.hasReady(START_PARAMS)).toBe(true);
    expect(pool.hasReady(other)).toBe(false);
    await db.close();
    await pool.endIdle();
  });

  it('ends a thread that has served maxUses volumes instead of recycling it', async () => {
    // Arrange
    const pool = new PGliteThreadPool(2, 2);
    const first = await pool.take(START_PARAMS).attach(volume('first'));
    await first.close();
    const second = await pool.take(START_PARAMS).attach(volume('second'));
    expect(second.thread).toBe(first.thread);
    // Act
    await second.close();
    // Assert
    expect(second.thread.isEnded).toBe(true);
    expect(pool.countsNow()).toEqual({ started: 1, recycled: 1, ended: 1, idle: 0 });
  });

  it('rejects bounds that are not whole numbers, with one line each', () => {
    // Act
    const negativeIdle = () => new PGliteThreadPool(-1);
    const noUses = () => new PGliteThreadPool(2, 0);
    const fractionalUses = () => new PGliteThreadPool(2, 1.5);
    // Assert
    expect(negativeIdle).toThrow(/^PGliteThreadPool maxIdle must be a whole number ≥ 0, got -1$/);
    expect(noUses).toThrow(/^PGliteThreadPool maxUses must be a whole number ≥ 1, got 0$/);
    expect(fractionalUses).toThrow(/^PGliteThreadPool maxUses must be a whole number ≥ 1, got 1.5$/);
  });

  it('lets the process exit on its own with idle spares in the pool', async () => {
    // Arrange
    const child = path.join(import.meta.dirname, '../../../../../support/pool-exit-child.ts');
    // Act: a spare that kept the process alive would hang this until the timeout kills it.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', child, path.join(dir.path, 'exit-child')],
      { timeout: 45_000, encoding: 'utf8' },
    );
    // Assert
    const counts = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(counts.recycled).toBe(1);
    expect(counts.idle).toBeGreaterThan(0);
  });
});
