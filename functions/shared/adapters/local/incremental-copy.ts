import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError } from '../../errors.js';
import { copyFiles } from './file-copy.js';
import {
  filesystemStampNs,
  isClean,
  listTree,
  type SnapshotFiles,
  statEntry,
  type VolumeFileEntry,
  type VolumeManifest,
} from './volume-manifest.js';

/** Where an earlier snapshot holds a file of a given gen (files of finished snapshots never change). */
export type GenIndex = ReadonlyMap<string, { readonly file: string; readonly size: number }>;

export interface CopyCounts {
  /** Files taken over without copying: hard links (snapshots) or kept files (volumes). */
  readonly reused: number;
  readonly copied: number;
  readonly moved: number;
}

interface SnapshotResult extends CopyCounts {
  readonly files: SnapshotFiles;
  /** The live volume's new manifest: each file's stat as copied, with its gen. */
  readonly manifest: VolumeManifest;
}

/**
 * Snapshots a quiesced live volume into `dest` (which must not exist). A file unchanged since
 * Tollgate last recorded it (`manifest`) keeps its gen and is hard-linked from whichever finished
 * snapshot holds that gen; every other file is copied (reflink first) and gets a new gen. Stats and
 * the stamp are taken before anything is copied, so a write after the quiesce always shows.
 */
export function snapshotVolume(options: {
  liveDir: string;
  manifest: VolumeManifest | undefined;
  dest: string;
  index: GenIndex;
  genPrefix: string;
}): SnapshotResult {
  const { liveDir, manifest, dest, index } = options;
  const tree = listTree(liveDir);
  const entries: Record<string, VolumeFileEntry> = {};
  for (const rel of tree.files) {
    const known = manifest?.files[rel];
    const clean = manifest !== undefined && isClean(path.join(liveDir, rel), known, manifest.stampNs);
    entries[rel] = statEntry(path.join(liveDir, rel), clean ? known!.gen : `${options.genPrefix}:${rel}`);
  }
  const stampNs = filesystemStampNs(path.dirname(liveDir));
  makeDirs(liveDir, dest, tree.dirs, tree.symlinks);
  const toCopy: string[] = [];
  let reused = 0;
  for (const rel of tree.files) {
    const earlier = index.get(entries[rel].gen);
    if (earlier && earlier.size === entries[rel].size && tryLink(earlier.file, path.join(dest, rel))) {
      reused += 1;
    } else toCopy.push(rel);
  }
  copyFiles(liveDir, dest, toCopy);
  const files = Object.fromEntries(
    Object.entries(entries).map(([rel, e]) => [rel, { size: e.size, gen: e.gen }]),
  );
  return {
    files: { version: 1, files },
    manifest: { version: 1, stampNs, files: entries },
    reused,
    copied: toCopy.length,
    moved: 0,
  };
}

interface FillResult extends CopyCounts {
  readonly manifest: VolumeManifest;
  /** Files renamed out of the snapshot, to put back if the new volume is not kept. */
  readonly movedOut: readonly string[];
}

/**
 * Builds in `tmp` the volume a snapshot describes, from what the live volume already holds: a file
 * still as Tollgate wrote it with the snapshot's gen is hard-linked from the live directory (which
 * nothing writes until it is swapped out and discarded); every other file comes from the snapshot,
 * renamed out of it when `move` (a single-use snapshot) and no other snapshot shares its inode,
 * copied otherwise. Files the snapshot lacks are simply not in `tmp`.
 */
export function fillVolume(options: {
  liveDir: string;
  manifest: VolumeManifest | undefined;
  fromDir: string;
  fromFiles: SnapshotFiles;
  tmp: string;
  move: boolean;
}): FillResult {
  const { liveDir, manifest, fromDir, fromFiles, tmp, move } = options;
  const tree = fs.existsSync(fromDir) ? listTree(fromDir) : { dirs: [], files: [], symlinks: [] };
  makeDirs(fromDir, tmp, tree.dirs, tree.symlinks);
  const entries: Record<string, VolumeFileEntry> = {};
  const placed: string[] = [];
  for (const [rel, want] of Object.entries(fromFiles.files)) {
    const have = manifest?.files[rel];
    const live = path.join(liveDir, rel);
    if (have?.gen === want.gen && isClean(live, have, manifest!.stampNs)) {
      fs.mkdirSync(path.dirname(path.join(tmp, rel)), { recursive: true, mode: 0o700 });
      fs.linkSync(live, path.join(tmp, rel));
      entries[rel] = have;
    } else if (fs.existsSync(path.join(fromDir, rel))) placed.push(rel);
    else {
      throw new NotFoundError(`snapshot file ${rel} is missing from ${fromDir} and not in the volume`);
    }
  }
  const movedOut: string[] = [];
  const toCopy: string[] = [];
  for (const rel of placed) {
    const from = path.join(fromDir, rel);
    if (move && fs.statSync(from).nlink === 1 && tryRename(from, path.join(tmp, rel))) movedOut.push(rel);
    else toCopy.push(rel);
  }
  copyFiles(fromDir, tmp, toCopy);
  // An mtime in the past: any later write by Postgres moves it to now, which the manifest then sees.
  const past = new Date(Date.now() - 60_000);
  for (const rel of placed) {
    const file = path.join(tmp, rel);
    fs.utimesSync(file, past, past);
    entries[rel] = statEntry(file, fromFiles.files[rel].gen);
  }
  const stampNs = filesystemStampNs(path.dirname(tmp));
  return {
    manifest: { version: 1, stampNs, files: entries },
    movedOut,
    reused: Object.keys(fromFiles.files).length - placed.length,
    copied: toCopy.length,
    moved: movedOut.length,
  };
}

/**
 * Puts files a fill renamed out of a snapshot back (the new volume was not kept, or a crash left
 * it half built). Only files with one link: one linked from a live volume must never enter a snapshot.
 */
export function returnMoved(volumeDir: string, fromDir: string, movedOut: readonly string[]): void {
  for (const rel of movedOut) {
    const back = path.join(fromDir, rel);
    const file = path.join(volumeDir, rel);
    if (fs.existsSync(file) && !fs.existsSync(back) && fs.statSync(file).nlink === 1) {
      fs.mkdirSync(path.dirname(back), { recursive: true });
      fs.renameSync(file, back);
    }
  }
}

/**
 * Gives every file under `dir` that shares its inode with another snapshot a private copy, so the
 * directory can be moved somewhere Postgres writes without changing the other snapshot. Run it in
 * the same synchronous stretch as the move: nothing may link to the files in between.
 */
export function privatizeFiles(dir: string): number {
  let count = 0;
  for (const rel of listTree(dir).files) {
    const file = path.join(dir, rel);
    if (fs.statSync(file).nlink <= 1) continue;
    const copy = `${file}.private`;
    fs.copyFileSync(file, copy, fs.constants.COPYFILE_FICLONE);
    fs.renameSync(copy, file);
    count += 1;
  }
  return count;
}

function makeDirs(fromRoot: string, toRoot: string, dirs: readonly string[], symlinks: readonly string[]) {
  fs.mkdirSync(toRoot, { recursive: true, mode: 0o700 });
  for (const rel of dirs) fs.mkdirSync(path.join(toRoot, rel), { recursive: true, mode: 0o700 });
  for (const rel of symlinks) {
    fs.symlinkSync(fs.readlinkSync(path.join(fromRoot, rel)), path.join(toRoot, rel));
  }
}

function tryLink(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (error) {
    // Gone (moved out by a single-use clone), on another filesystem, or at the link limit: copy.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EXDEV' || code === 'EMLINK' || code === 'EPERM') return false;
    throw error;
  }
}

function tryRename(from: string, to: string): boolean {
  try {
    fs.renameSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EXDEV') return false;
    throw error;
  }
}
