import fs from 'node:fs';
import path from 'node:path';
import { copyBytes, tryReflink } from './file-copy.js';

/** Postgres' WAL page size (XLOG_BLCKSZ); PGlite is built with the default. */
const WAL_PAGE = 8192;
/** Bytes read (and written) at a time when copying a segment. */
const CHUNK = 1024 * 1024;
/** `pg_wal/` + timeline, log and segment number, 8 hex digits each. */
const SEGMENT_PATH = /^pg_wal[/\\]([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})$/;

/** True for a WAL segment file (a path relative to the data directory). */
export function isWalSegment(rel: string): boolean {
  return SEGMENT_PATH.test(rel);
}

/**
 * The LSN a segment of `size` bytes named `rel` starts at, or undefined when the name or the size
 * is not one Postgres could have made (then the file is copied whole).
 */
function segmentStart(rel: string, size: number): bigint | undefined {
  const match = SEGMENT_PATH.exec(rel);
  // wal_segment_size is a power of two from 1 MB to 1 GB.
  if (!match || size < 1024 * 1024 || size > 1024 ** 3 || (size & (size - 1)) !== 0) return undefined;
  const log = BigInt(`0x${match[2]}`);
  const seg = BigInt(`0x${match[3]}`);
  if (seg * BigInt(size) >= 2n ** 32n) return undefined;
  return (log << 32n) + seg * BigInt(size);
}

/**
 * pg_control's layout version for each Postgres whose ControlFileData starts the same way (11 to
 * 18): system id, version, catalog version, state, time, then the last checkpoint's location and
 * its copy, whose first field is the redo pointer, at byte 40.
 */
const KNOWN_CONTROL_VERSIONS = new Set([1100, 1201, 1300, 1700, 1800]);
const REDO_OFFSET = 40;

/**
 * Where crash recovery of the data directory `dataDir` starts reading WAL: the redo pointer of its
 * last checkpoint, from global/pg_control. Undefined when pg_control is missing or of a layout this
 * does not know (then every live page is copied).
 */
export function walReplayStart(dataDir: string): bigint | undefined {
  let control: Buffer;
  try {
    control = fs.readFileSync(path.join(dataDir, 'global', 'pg_control'));
  } catch {
    return undefined;
  }
  if (control.length < REDO_OFFSET + 8 || !KNOWN_CONTROL_VERSIONS.has(control.readUInt32LE(8))) {
    return undefined;
  }
  return control.readBigUInt64LE(REDO_OFFSET);
}

/**
 * Copies a WAL segment, writing only the pages Postgres can still read: from the first page up to
 * the first page whose header is not this segment's (`xlp_pageaddr` names another place in the WAL,
 * or the page is zeros). The rest becomes a hole of the same length. With `replayFrom` (see
 * `walReplayStart`), the pages before the one it falls in are holes too, but for the segment's
 * first page, whose long header Postgres checks whenever it opens the segment.
 *
 * Why it is the same segment to Postgres: recovery reads WAL forward from the checkpoint and stops
 * at the first page whose header does not carry its own address (a recycled segment's tail holds
 * records of an older segment; a new one holds zeros), and from there Postgres writes afresh. A
 * hole reads as zeros, which stop recovery at the same place. The pages after it are never read,
 * nor are those before the redo pointer: recovery starts there, and after it Postgres only writes.
 * What this saves: Postgres keeps future segments recycled from old ones (every page stale) and a
 * current one partly written, 48 MB in PGlite's usual three; a refresh wrote all of it twice.
 * The copy stays sparse when the refresh copies it on (GNU cp and reflinks keep holes). Where the
 * filesystem has reflinks, a reflink of the whole file is cheaper still and is taken first.
 *
 * The destination must not exist. Returns the bytes written (none for a reflink).
 */
export function copyWalSegment(
  fromRoot: string,
  toRoot: string,
  rel: string,
  options: { reflink?: boolean; replayFrom?: bigint } = {},
): number {
  const from = path.join(fromRoot, rel);
  const to = path.join(toRoot, rel);
  if ((options.reflink ?? true) && tryReflink(from, to)) return 0;
  const src = fs.openSync(from, 'r');
  try {
    const { size, mode } = fs.fstatSync(src);
    const start = segmentStart(rel, size);
    const dst = fs.openSync(to, 'wx', mode & 0o777);
    try {
      const written =
        start === undefined
          ? copyBytes(src, dst, 0, size)
          : copyLivePages(src, dst, size, start, options.replayFrom ?? 0n);
      fs.ftruncateSync(dst, size);
      return written;
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

function copyLivePages(src: number, dst: number, size: number, start: bigint, replayFrom: bigint): number {
  const buffer = Buffer.allocUnsafe(CHUNK);
  // The first page needed for replay, as an offset into this segment (0 when replay starts before it).
  const replayPage = replayFrom > start ? Number((replayFrom - start) / BigInt(WAL_PAGE)) * WAL_PAGE : 0;
  // The first page sets the format version every later page must carry.
  if (fs.readSync(src, buffer, 0, WAL_PAGE, 0) < WAL_PAGE) return 0;
  const magic = buffer.readUInt16LE(0);
  const isLive = (at: number, offset: number) => {
    const pageMagic = buffer.readUInt16LE(at);
    return (
      pageMagic !== 0 && pageMagic === magic && buffer.readBigUInt64LE(at + 8) === start + BigInt(offset)
    );
  };
  if (!isLive(0, 0)) return 0;
  fs.writeSync(dst, buffer, 0, WAL_PAGE, 0);
  let written = WAL_PAGE;
  // Then from the redo pointer's page on, up to the first page that is not this segment's. The pages
  // between are not even read: a segment wholly before the redo pointer (most of the ones a
  // checkpoint leaves) costs one page read, not the 16 MB it used to.
  for (let offset = Math.max(WAL_PAGE, replayPage); offset < size; offset += CHUNK) {
    const read = fs.readSync(src, buffer, 0, Math.min(CHUNK, size - offset), offset);
    let live = 0;
    while (live + WAL_PAGE <= read && isLive(live, offset + live)) live += WAL_PAGE;
    if (live > 0) fs.writeSync(dst, buffer, 0, live, offset);
    written += live;
    if (live < read) break;
  }
  return written;
}
