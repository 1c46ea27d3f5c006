import fs from 'node:fs';
import path from 'node:path';
import { copyFileInProcess, copyFiles } from './file-copy.js';
import {
  entryOf,
  filesystemStampNs,
  isPrivateMode,
  listTree,
  type SnapshotFiles,
  unchangedSince,
  type VolumeFileEntry,
  type VolumeManifest,
} from './volume-manifest.js';
import { copyWalSegment, isWalSegment, walReplayStart } from './wal-segment.js';

/**
 * Where a finished snapshot holds the file `rel` with `entry`'s gen and size (files of finished
 * snapshots never change), or undefined when none is known to.
 */
export type GenLocator = (entry: VolumeFileEntry, rel: string) => string | undefined;

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
  /**
   * Every file of the live volume was owner-only, so the snapshot is too (links share the inode,
   * copies keep the mode) and needs no chmod pass; false for a volume older than PrivateNodeFS.
   */
  readonly private: boolean;
}

/**
 * Snapshots a quiesced live volume into `dest` (which must not exist). A file unchanged since
 * Tollgate last recorded it (`manifest`) keeps its gen and is hard-linked from whichever finished
 * snapshot holds that gen; every other file is copied (reflink first; of a WAL segment only the
 * pages Postgres can still read, see wal-segment.ts) and gets a new gen. Each file
 * is stat-ed once, and the stamp taken after every stat, before anything is copied, so a write after
 * the quiesce always shows.
 */
export function snapshotVolume(options: {
  liveDir: string;
  manifest: VolumeManifest | undefined;
  dest: string;
  locate: GenLocator;
  genPrefix: string;
  /** Where `dest` will be once the snapshot is finished: the new manifest's `at` hints. */
  finalDir: string;
}): SnapshotResult {
  const { liveDir, manifest, dest, locate } = options;
  const tree = listTree(liveDir);
  const entries: Record<string, VolumeFileEntry> = {};
  const stampNs = manifest ? BigInt(manifest.stampNs) : 0n;
  let allPrivate = true;
  for (const rel of tree.files) {
    const s = fs.statSync(path.join(liveDir, rel), { bigint: true });
    const known = manifest?.files[rel];
    const clean = unchangedSince(s, known, stampNs);
    if (!isPrivateMode(s)) allPrivate = false;
    entries[rel] = entryOf(s, clean ? known!.gen : `${options.genPrefix}:${rel}`, options.finalDir);
  }
  const newStampNs = filesystemStampNs(path.dirname(liveDir));
  makeDirs(liveDir, dest, tree.dirs, tree.symlinks);
  const toCopy: string[] = [];
  let reused = 0;
  for (const rel of tree.files) {
    // Only a file that kept its gen can be in an earlier snapshot: `known` still has its hint.
    const known = manifest?.files[rel];
    const earlier = known?.gen === entries[rel].gen ? locate(known, rel) : undefined;
    if (earlier && tryLink(earlier, path.join(dest, rel))) reused += 1;
    else toCopy.push(rel);
  }
  const walCopies = toCopy.filter(isWalSegment);
  copyFiles(
    liveDir,
    dest,
    toCopy.filter((rel) => !isWalSegment(rel)),
  );
  const replayFrom = walCopies.length > 0 ? walReplayStart(liveDir) : undefined;
  for (const rel of walCopies) copyWalSegment(liveDir, dest, rel, { replayFrom });
  const files: Record<string, { size: number; gen: string }> = {};
  for (const rel of tree.files) files[rel] = { size: entries[rel].size, gen: entries[rel].gen };
  return {
    files: { version: 1, files },
    manifest: { version: 1, stampNs: newStampNs, files: entries },
    private: allPrivate,
    reused,
    copied: toCopy.length,
    moved: 0,
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
    // A copy a crash in this loop left half made: never a Postgres file, made again below if needed.
    if (rel.endsWith(PRIVATE_SUFFIX)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (fs.statSync(file).nlink <= 1) continue;
    const copy = `${file}${PRIVATE_SUFFIX}`;
    fs.rmSync(copy, { force: true });
    // Not fs.copyFileSync: libuv truncates the new file first, and ext4 then flushes it on close
    // (1,152 files of a 100 MB volume: 390-430 ms against 130-180 ms; see file-copy.ts).
    copyFileInProcess(file, copy);
    fs.renameSync(copy, file);
    count += 1;
  }
  return count;
}

const PRIVATE_SUFFIX = '.private';

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
