import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { InvalidInputError, SnapshotFailedError } from '../../errors.js';
import { makeTreePrivate } from './private-node-fs.js';

/**
 * Up to this many bytes a copy runs in this process: starting `cp` forks the runtime (hundreds of
 * MiB mapped), which cost more than copying the few changed relation files of a steady refresh
 * (bench/refresh.ts, 100 MB: ~110 ms for the spawn and copy against ~10 ms here). Above it, `cp`'s
 * in-kernel copy (and reflinks) wins over moving every byte through a buffer.
 */
const IN_PROCESS_BYTES = 32 * 1024 * 1024;
const CHUNK = 1024 * 1024;
let chunk: Buffer | undefined;

/**
 * `cp` processes a large copy runs at once. Two copied 1 GB of relation files in 0.68-0.86 s where
 * one `cp -r` took 0.92-1.06 s on this 2-core machine (same minutes, page cache warm); more is
 * unmeasured, and the copy competes with the database threads.
 */
const COPY_STREAMS = 2;

let gnuTools: boolean | undefined;

/**
 * GNU `cp --reflink=auto` copies through FICLONE where the filesystem has reflinks and
 * copy_file_range otherwise; GNU `xargs -P` runs several at once from one spawn of the runtime.
 * libuv's copyfile ftruncate()s every new file to 0 first, and on ext4 (auto_da_alloc) that makes
 * close() flush the whole file: 1.4-1.6x slower than `cp -r` at 1 GiB.
 */
function hasGnuTools(): boolean {
  if (gnuTools === undefined) {
    const probe = (command: string, args: string[]) =>
      spawnSync(command, args, { encoding: 'utf8' }).stdout?.includes('GNU') === true;
    gnuTools =
      process.platform === 'linux' &&
      probe('cp', ['--reflink=auto', '--version']) &&
      probe('xargs', ['--version']);
  }
  return gnuTools;
}

/**
 * Makes the first large copy of a process as fast as the next: the probe for GNU cp and xargs
 * costs a spawn (~25 ms seen), which the runtime pays at start instead of inside a refresh.
 */
export function probeCopyTools(): void {
  hasGnuTools();
}

/**
 * Copies the regular files `rels` (relative paths) from `fromRoot` to the same relative paths under
 * `toRoot`, whose directories must exist and whose files must not. Reflinks first, in this process
 * wherever the roots share extents; a large set between roots that cannot goes to GNU cp with
 * `--reflink=auto` (else `fs.copyFileSync`, COPYFILE_FICLONE), a small one is copied here. Each file
 * is stat-ed once, here; whether the two roots can share extents is asked once per device pair.
 */
export function copyFiles(fromRoot: string, toRoot: string, rels: readonly string[]): void {
  if (rels.length === 0) return;
  const sizes = rels.map((rel) => fs.statSync(path.join(fromRoot, rel)).size);
  const pair = devicePair(fromRoot, toRoot);
  let first = 0;
  if (sizes.reduce((a, b) => a + b, 0) > IN_PROCESS_BYTES) {
    // Where the two roots share extents (XFS, btrfs, APFS) each file is one clone ioctl, cheaper here
    // than forking `cp`: 1,147 files of a 100 MB volume on XFS cloned in 57-77 ms in this process
    // against 77-207 ms through xargs and cp. The first file asks; elsewhere it fails once per pair.
    if (!reflinkAt(path.join(fromRoot, rels[0]), path.join(toRoot, rels[0]), pair)) {
      copyWithCp(fromRoot, toRoot, rels, sizes);
      return;
    }
    first = 1;
  }
  for (let i = first; i < rels.length; i += 1) {
    copyOne(path.join(fromRoot, rels[i]), path.join(toRoot, rels[i]), sizes[i], pair);
  }
}

/** A copy too large to move through this process's buffers: GNU cp's in-kernel copy, two at once. */
function copyWithCp(
  fromRoot: string,
  toRoot: string,
  rels: readonly string[],
  sizes: readonly number[],
): void {
  if (!hasGnuTools()) {
    for (const rel of rels) {
      fs.copyFileSync(path.join(fromRoot, rel), path.join(toRoot, rel), fs.constants.COPYFILE_FICLONE);
    }
    return;
  }
  // Largest first, dealt in turn to each stream: xargs hands each `cp` the next equal run of paths,
  // so every run gets about the same bytes. xargs also splits a run that would pass ARG_MAX.
  const order = rels.map((_, i) => i).sort((a, b) => sizes[b] - sizes[a]);
  const streams = Array.from({ length: COPY_STREAMS }, (_, s) =>
    order.filter((_, k) => k % COPY_STREAMS === s).map((i) => rels[i]),
  );
  const perCp = Math.ceil(rels.length / COPY_STREAMS);
  const xargs = spawnSync(
    'xargs',
    [
      '-0',
      '-P',
      String(COPY_STREAMS),
      '-n',
      String(perCp),
      'cp',
      '--reflink=auto',
      '--parents',
      '-t',
      // cp runs in fromRoot: a relative toRoot would land under it.
      path.resolve(toRoot),
      '--',
    ],
    { cwd: fromRoot, input: `${streams.flat().join('\0')}\0`, encoding: 'utf8' },
  );
  if (xargs.status !== 0) {
    const why = xargs.error?.message ?? xargs.stderr.trim().split('\n')[0];
    throw new SnapshotFailedError(`copying files from ${fromRoot} to ${toRoot} failed: ${why}`);
  }
}

/**
 * One file, as `cp --reflink=auto` would leave it: a reflink where the filesystem has them, else a
 * new owner-only file (never truncated to 0, so ext4's auto_da_alloc does not flush it on close;
 * see above) with the source's bytes, its all-zero chunks left as holes as `cp --sparse=auto`
 * keeps a WAL segment's unread tail one. `to` must not exist.
 */
export function copyFileInProcess(from: string, to: string): void {
  copyOne(from, to, fs.statSync(from).size, devicePair(from, path.dirname(to)));
}

function copyOne(from: string, to: string, size: number, pair: string): void {
  if (reflinkAt(from, to, pair)) return;
  const source = fs.openSync(from, 'r');
  try {
    const target = fs.openSync(to, 'wx', 0o600);
    try {
      copyBytes(source, target, 0, size);
      fs.ftruncateSync(target, size);
    } finally {
      fs.closeSync(target);
    }
  } finally {
    fs.closeSync(source);
  }
}

/**
 * Copies bytes [start, end) of `source` to the same offsets of `target`; an all-zero chunk is not
 * written (a hole reads as zeros), so the caller sets the size. Returns the bytes written.
 */
export function copyBytes(source: number, target: number, start: number, end: number): number {
  chunk ??= Buffer.allocUnsafe(CHUNK);
  let written = 0;
  for (let at = start; at < end; ) {
    const read = fs.readSync(source, chunk, 0, Math.min(CHUNK, end - at), at);
    if (read === 0) break;
    const bytes = chunk.subarray(0, read);
    if (!bytes.equals(zeros.subarray(0, read))) written += fs.writeSync(target, bytes, 0, read, at);
    at += read;
  }
  return written;
}

const zeros = Buffer.alloc(CHUNK);

/** `from-dev:to-dev` pairs where a reflink failed: not tried again (a failed try costs ~0.1 ms). */
const noReflink = new Set<string>();

/** A reflink of `from` at `to` (which must not exist), or false where the filesystem has none. */
export function tryReflink(from: string, to: string): boolean {
  return reflinkAt(from, to, devicePair(from, path.dirname(to)));
}

/** The devices of a copy's source and destination directory: where reflinks were found missing. */
function devicePair(from: string, toDir: string): string {
  return `${fs.statSync(from).dev}:${fs.statSync(toDir).dev}`;
}

function reflinkAt(from: string, to: string, devices: string): boolean {
  if (noReflink.has(devices)) return false;
  try {
    fs.copyFileSync(from, to, fs.constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw error;
    noReflink.add(devices);
    return false;
  }
}

/**
 * Copies a Postgres data directory, as a reflink where the filesystem can (btrfs, XFS, APFS) and a
 * plain in-kernel copy otherwise. `to` must not exist yet. postmaster.pid is left out because it
 * describes the process that had the source open. The copy is owner-only (0700/0600): it is a
 * database, production's when it is a snapshot. Modification times are kept: a file copied in the
 * last clock tick before a manifest's stamp would count as changed (see unchangedSince).
 *
 * On Linux GNU `cp --reflink=auto` does the copy rather than `fs.cpSync`: libuv's copyfile
 * ftruncate()s every new file to 0 before copy_file_range, and on ext4 (auto_da_alloc) that makes
 * close() flush the whole file to disk, which measured 1.4-1.6x slower than `cp -r` at 1 GiB.
 */
export function copyDataDir(from: string, to: string): void {
  if (fs.existsSync(to)) throw new InvalidInputError(`copy destination ${to} already exists`);
  if (hasGnuTools()) {
    const cp = spawnSync('cp', ['-R', '--reflink=auto', '--preserve=timestamps', '--', from, to], {
      encoding: 'utf8',
    });
    if (cp.status !== 0) {
      const why = cp.error?.message ?? cp.stderr.trim().split('\n')[0];
      throw new SnapshotFailedError(`copying ${from} to ${to} failed: ${why}`);
    }
    fs.rmSync(path.join(to, 'postmaster.pid'), { force: true });
    makeTreePrivate(to);
    return;
  }
  // COPYFILE_FICLONE falls back to a copy silently; COPYFILE_FICLONE_FORCE would fail instead.
  fs.cpSync(from, to, {
    recursive: true,
    mode: fs.constants.COPYFILE_FICLONE,
    preserveTimestamps: true,
    filter: (src) => path.basename(src) !== 'postmaster.pid',
  });
  makeTreePrivate(to);
}
