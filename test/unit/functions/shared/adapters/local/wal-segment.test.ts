import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { fillWithEmptyCluster } from '../../../../../../functions/shared/adapters/local/empty-cluster.js';
import { copyFiles } from '../../../../../../functions/shared/adapters/local/file-copy.js';
import { listTree } from '../../../../../../functions/shared/adapters/local/volume-manifest.js';
import {
  copyWalSegment,
  isWalSegment,
  walReplayStart,
} from '../../../../../../functions/shared/adapters/local/wal-segment.js';
import { tempDir } from '../../../../../support/pglite-server.js';

const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];
const PAGE = 8192;
const MB = 1024 * 1024;

/** A WAL page header: magic, info, timeline, then the page's own address (xlp_pageaddr). */
function page(magic: number, address: bigint, fill: number): Buffer {
  const buffer = Buffer.alloc(PAGE, fill);
  buffer.writeUInt16LE(magic, 0);
  buffer.writeUInt16LE(0, 2);
  buffer.writeUInt32LE(1, 4);
  buffer.writeBigUInt64LE(address, 8);
  return buffer;
}

/** Copies a data directory as a snapshot does: WAL segments by their live pages, the rest whole. */
function copyDataDirByPages(
  from: string,
  to: string,
): { written: number; segmentBytes: number; replayFrom: bigint | undefined } {
  const tree = listTree(from);
  fs.mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const rel of tree.dirs) fs.mkdirSync(path.join(to, rel), { recursive: true });
  copyFiles(
    from,
    to,
    tree.files.filter((rel) => !isWalSegment(rel) && path.basename(rel) !== 'postmaster.pid'),
  );
  let written = 0;
  let segmentBytes = 0;
  const replayFrom = walReplayStart(from);
  for (const rel of tree.files.filter(isWalSegment)) {
    written += copyWalSegment(from, to, rel, { reflink: false, replayFrom });
    segmentBytes += fs.statSync(path.join(from, rel)).size;
  }
  return { written, segmentBytes, replayFrom };
}

describe('copyWalSegment', () => {
  const dir = tempDir('tollgate-wal-');
  afterAll(() => dir.remove());

  it('gives Postgres every committed row, including rows only in the WAL, while writing only the WAL after the redo pointer', async () => {
    // Arrange: enough writes for Postgres to switch segments; a restart, whose shutdown checkpoint
    // recycles the old ones into future names; then rows that exist only in the WAL (no checkpoint
    // after them, their pages not flushed).
    const live = path.join(dir.path, 'live');
    expect(await fillWithEmptyCluster(live, START_PARAMS, {})).toBeDefined();
    const first = await PGlite.create({ dataDir: live, startParams: START_PARAMS });
    await first.exec('CREATE TABLE t (id int PRIMARY KEY, pad text)');
    await first.exec("INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 150000) g");
    await first.exec("UPDATE t SET pad = repeat('y', 200) WHERE id <= 60000");
    await first.close();
    const db = await PGlite.create({ dataDir: live, startParams: START_PARAMS });
    await db.exec("INSERT INTO t SELECT g, 'after' FROM generate_series(150001, 150777) g");
    const control = await db.query<{ redo: string }>(
      'SELECT redo_lsn::text AS redo FROM pg_control_checkpoint()',
    );
    // Act: copied while PGlite has it open and idle, as a crash would leave it. Nothing reads the
    // table before the copy: a scan would write its pages back with commit hints, and the rows would
    // no longer depend on the WAL.
    const copy = path.join(dir.path, 'copy');
    const { written, segmentBytes, replayFrom } = copyDataDirByPages(live, copy);
    await db.close();
    const reopened = await PGlite.create({ dataDir: copy, startParams: START_PARAMS });
    const actual = await reopened.query<{ n: number; s: string }>(
      "SELECT count(*)::int AS n, sum(length(pad))::text AS s FROM t WHERE pad <> 'z'",
    );
    const after = await reopened.query<{ n: number }>("SELECT count(*)::int AS n FROM t WHERE pad = 'after'");
    await reopened.close();

    // Assert
    expect(actual.rows).toEqual([{ n: 150_777, s: String(150_000 * 200 + 777 * 'after'.length) }]);
    expect(after.rows[0].n).toBe(777);
    const [high, low] = control.rows[0].redo.split('/').map((h) => BigInt(`0x${h}`));
    expect(replayFrom).toBe((high << 32n) + low);
    expect(segmentBytes).toBeGreaterThanOrEqual(2 * 16 * MB);
    // The WAL after the restart's checkpoint is about 2 MB (rows and full-page images); the segments hold 64.
    expect(written).toBeLessThan(4 * MB);
  }, 120_000);

  it('writes the pages up to the first one that is not this segment’s and leaves the rest a hole of the same length', () => {
    // Arrange: a 1 MB segment 3 of log 0 starts at LSN 3 MB; pages 0-9 carry their own address,
    // page 10 an older segment's (recycled), page 11 its own again (never read by Postgres).
    const from = path.join(dir.path, 'synthetic-from');
    const to = path.join(dir.path, 'synthetic-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const rel = path.join('pg_wal', '000000010000000000000003');
    const start = 3n * BigInt(MB);
    const pages = Array.from({ length: MB / PAGE }, (_, i) =>
      page(0xd118, i === 10 ? BigInt(i * PAGE) : start + BigInt(i * PAGE), i + 1),
    );
    fs.writeFileSync(path.join(from, rel), Buffer.concat(pages), { mode: 0o600 });

    // Act
    const written = copyWalSegment(from, to, rel, { reflink: false });

    // Assert
    const copied = fs.readFileSync(path.join(to, rel));
    expect(written).toBe(10 * PAGE);
    expect(copied.length).toBe(MB);
    expect(copied.subarray(0, 10 * PAGE).equals(Buffer.concat(pages.slice(0, 10)))).toBe(true);
    expect(copied.subarray(10 * PAGE).every((b) => b === 0)).toBe(true);
    expect(fs.statSync(path.join(to, rel)).mode & 0o777).toBe(0o600);
  });

  it('leaves the pages before the redo pointer holes, but for the first, whose header Postgres checks', () => {
    // Arrange: segment 3 of log 0 (1 MB segments) with all 128 pages its own; replay starts in page 40.
    const from = path.join(dir.path, 'replay-from');
    const to = path.join(dir.path, 'replay-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const rel = path.join('pg_wal', '000000010000000000000003');
    const start = 3n * BigInt(MB);
    const pages = Array.from({ length: MB / PAGE }, (_, i) => page(0xd118, start + BigInt(i * PAGE), i + 1));
    fs.writeFileSync(path.join(from, rel), Buffer.concat(pages));

    // Act
    const written = copyWalSegment(from, to, rel, {
      reflink: false,
      replayFrom: start + BigInt(40 * PAGE + 100),
    });

    // Assert
    const copied = fs.readFileSync(path.join(to, rel));
    expect(written).toBe((1 + 128 - 40) * PAGE);
    expect(copied.subarray(0, PAGE).equals(pages[0])).toBe(true);
    expect(copied.subarray(PAGE, 40 * PAGE).every((b) => b === 0)).toBe(true);
    expect(copied.subarray(40 * PAGE).equals(Buffer.concat(pages.slice(40)))).toBe(true);
  });

  it('reads a segment only where recovery does: a stale page before the redo pointer does not stop the copy, and a segment wholly before it gives its first page', () => {
    // Arrange: segment 5 (1 MB segments) whose page 20 is stale (an older segment's, as a recycled
    // segment's pages are), replay starting in page 40; and segment 4, wholly before the redo pointer.
    const from = path.join(dir.path, 'stale-from');
    const to = path.join(dir.path, 'stale-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const current = path.join('pg_wal', '000000010000000000000005');
    const earlier = path.join('pg_wal', '000000010000000000000004');
    const start = 5n * BigInt(MB);
    const pages = Array.from({ length: MB / PAGE }, (_, i) => page(0xd118, start + BigInt(i * PAGE), i + 1));
    pages[20] = page(0xd118, 1n * BigInt(MB) + BigInt(20 * PAGE), 21);
    fs.writeFileSync(path.join(from, current), Buffer.concat(pages));
    const before = Array.from({ length: MB / PAGE }, (_, i) =>
      page(0xd118, 4n * BigInt(MB) + BigInt(i * PAGE), 3),
    );
    fs.writeFileSync(path.join(from, earlier), Buffer.concat(before));
    const replayFrom = start + BigInt(40 * PAGE + 100);

    // Act
    const written = copyWalSegment(from, to, current, { reflink: false, replayFrom });
    const writtenEarlier = copyWalSegment(from, to, earlier, { reflink: false, replayFrom });

    // Assert: what recovery reads (the first page, then from the redo pointer on) is there
    const copied = fs.readFileSync(path.join(to, current));
    expect(written).toBe((1 + 128 - 40) * PAGE);
    expect(copied.subarray(40 * PAGE).equals(Buffer.concat(pages.slice(40)))).toBe(true);
    expect(copied.subarray(PAGE, 40 * PAGE).every((b) => b === 0)).toBe(true);
    const copiedEarlier = fs.readFileSync(path.join(to, earlier));
    expect(writtenEarlier).toBe(PAGE);
    expect(copiedEarlier.length).toBe(MB);
    expect(copiedEarlier.subarray(0, PAGE).equals(before[0])).toBe(true);
    expect(copiedEarlier.subarray(PAGE).every((b) => b === 0)).toBe(true);
  });

  it('finds no redo pointer in a pg_control of a layout it does not know, or in no pg_control', () => {
    // Arrange
    const unknown = path.join(dir.path, 'control-unknown');
    fs.mkdirSync(path.join(unknown, 'global'), { recursive: true });
    const control = Buffer.alloc(PAGE);
    control.writeUInt32LE(942, 8);
    control.writeBigUInt64LE(5n * BigInt(MB), 40);
    fs.writeFileSync(path.join(unknown, 'global', 'pg_control'), control);

    // Act + Assert
    expect(walReplayStart(unknown)).toBeUndefined();
    expect(walReplayStart(path.join(dir.path, 'no-such-dir'))).toBeUndefined();
  });

  it('writes nothing of a zero-filled segment and stops at a page of another WAL format', () => {
    // Arrange
    const from = path.join(dir.path, 'formats-from');
    const to = path.join(dir.path, 'formats-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const zeros = path.join('pg_wal', '000000010000000000000000');
    fs.writeFileSync(path.join(from, zeros), Buffer.alloc(MB));
    const mixed = path.join('pg_wal', '000000010000000000000001');
    const start = BigInt(MB);
    fs.writeFileSync(
      path.join(from, mixed),
      Buffer.concat([
        page(0xd118, start, 1),
        page(0xd117, start + BigInt(PAGE), 2),
        Buffer.alloc(MB - 2 * PAGE),
      ]),
    );

    // Act
    const writtenZeros = copyWalSegment(from, to, zeros, { reflink: false });
    const writtenMixed = copyWalSegment(from, to, mixed, { reflink: false });

    // Assert
    expect(writtenZeros).toBe(0);
    expect(fs.statSync(path.join(to, zeros)).size).toBe(MB);
    expect(writtenMixed).toBe(PAGE);
    expect(fs.statSync(path.join(to, mixed)).size).toBe(MB);
  });

  it('copies whole a file that cannot be a segment by its size', () => {
    // Arrange: 1.5 MB is no wal_segment_size; its tail is copied as it is.
    const from = path.join(dir.path, 'odd-from');
    const to = path.join(dir.path, 'odd-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const rel = path.join('pg_wal', '000000010000000000000002');
    const content = Buffer.alloc(MB + MB / 2, 7);
    fs.writeFileSync(path.join(from, rel), content);

    // Act
    const written = copyWalSegment(from, to, rel, { reflink: false });

    // Assert
    expect(written).toBe(content.length);
    expect(fs.readFileSync(path.join(to, rel)).equals(content)).toBe(true);
  });

  it('refuses to overwrite an existing copy and leaves it as it was', () => {
    // Arrange
    const from = path.join(dir.path, 'exists-from');
    const to = path.join(dir.path, 'exists-to');
    fs.mkdirSync(path.join(from, 'pg_wal'), { recursive: true });
    fs.mkdirSync(path.join(to, 'pg_wal'), { recursive: true });
    const rel = path.join('pg_wal', '000000010000000000000001');
    fs.writeFileSync(path.join(from, rel), Buffer.alloc(MB, 1));
    fs.writeFileSync(path.join(to, rel), 'kept');

    // Act + Assert
    expect(() => copyWalSegment(from, to, rel, { reflink: false })).toThrow(/EEXIST/);
    expect(fs.readFileSync(path.join(to, rel), 'utf8')).toBe('kept');
  });
});
