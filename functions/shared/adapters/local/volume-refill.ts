import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError } from '../../errors.js';
import { copyFiles } from './file-copy.js';
import type { CopyCounts } from './incremental-copy.js';
import { readJson, writeJson } from './json-file.js';
import {
  filesystemStampNs,
  listTree,
  type SnapshotFiles,
  statEntry,
  statFile,
  unchangedSince,
  type VolumeFileEntry,
  type VolumeManifest,
} from './volume-manifest.js';

/**
 * What an in-place refill changes, written before the first change: a crash part way is rolled
 * back from it (`rollbackRefill`), so the volume holds its old files or all the new ones.
 */
export interface RefillPlan {
  readonly version: 1;
  /** The snapshot's directory for this volume. */
  readonly from: string;
  /** Where the files about to be replaced or dropped are kept until the new data stands. */
  readonly backup: string;
  /** In the volume and the snapshot with different contents: the old file goes to `backup`. */
  readonly replaced: readonly string[];
  /** Only in the snapshot. */
  readonly added: readonly string[];
  /** Only in the volume (files and symlinks): they go to `backup`. */
  readonly dropped: readonly string[];
  /** Symlinks the snapshot has and the volume lacks (or has pointing elsewhere: then also dropped). */
  readonly links: readonly string[];
  readonly dirsAdded: readonly string[];
  readonly dirsDropped: readonly string[];
  /**
   * The whole directories were swapped (see `canSwapDirs`): the volume's became `backup`, the
   * snapshot's became the volume. The lists above still say what changed, so a Tollgate that
   * predates the flag rolls the swap back file by file.
   */
  readonly swapped?: true;
}

interface RefillResult extends CopyCounts {
  readonly plan: RefillPlan;
  readonly manifest: VolumeManifest;
}

/**
 * Turns the live volume into the snapshot in place, touching only what differs: a file still as
 * Tollgate wrote it with the snapshot's gen stays where it is (no copy, no link); every other file
 * of the snapshot replaces the volume's, renamed out of the snapshot when `move` (single-use) and
 * no other snapshot shares its inode, copied otherwise. The files replaced or dropped are the
 * backup: renamed aside, not copied, and freed once the new data is served. Work is O(files that
 * differ) plus one stat per file; the old design linked every kept file into a new directory.
 *
 * Synchronous on purpose, and the volume must not be open: nothing else may write to it meanwhile.
 * The caller writes the new manifest, then `commitRefill`; until then a crash rolls back.
 */
export function refillVolume(options: {
  liveDir: string;
  manifest: VolumeManifest | undefined;
  fromDir: string;
  fromFiles: SnapshotFiles;
  move: boolean;
  intentFile: string;
  backupDir: string;
}): RefillResult {
  const { liveDir, manifest, fromDir, fromFiles, move } = options;
  const from = listTreeOrEmpty(fromDir);
  const live = listTreeOrEmpty(liveDir);
  const liveFiles = new Set(live.files);
  const stampNs = manifest ? BigInt(manifest.stampNs) : 0n;
  const entries: Record<string, VolumeFileEntry> = {};
  const replaced: string[] = [];
  const added: string[] = [];
  for (const rel in fromFiles.files) {
    const want = fromFiles.files[rel];
    const have = manifest?.files[rel];
    if (have?.gen === want.gen && unchangedSince(statFile(path.join(liveDir, rel)), have, stampNs)) {
      entries[rel] = have;
    } else if (!fs.existsSync(path.join(fromDir, rel))) {
      throw new NotFoundError(`snapshot file ${rel} is missing from ${fromDir} and not in the volume`);
    } else (liveFiles.has(rel) ? replaced : added).push(rel);
  }
  const dropped = live.files.filter((rel) => !(rel in fromFiles.files));
  const linkTarget = (root: string, rel: string) => fs.readlinkSync(path.join(root, rel));
  const fromLinks = new Map(from.symlinks.map((rel) => [rel, linkTarget(fromDir, rel)]));
  const liveLinks = new Map(live.symlinks.map((rel) => [rel, linkTarget(liveDir, rel)]));
  for (const [rel, target] of liveLinks) if (fromLinks.get(rel) !== target) dropped.push(rel);
  const links = [...fromLinks].filter(([rel, target]) => liveLinks.get(rel) !== target).map(([r]) => r);
  const liveDirs = new Set(live.dirs);
  const fromDirs = new Set(from.dirs);
  const swap = canSwapDirs({ ...options, kept: Object.keys(entries).length, fromListed: from.files });
  const plan: RefillPlan = {
    version: 1,
    from: path.resolve(fromDir),
    backup: path.resolve(options.backupDir),
    replaced,
    added,
    dropped,
    links,
    dirsAdded: from.dirs.filter((d) => !liveDirs.has(d)),
    dirsDropped: live.dirs.filter((d) => !fromDirs.has(d)).reverse(),
    ...(swap ? { swapped: true as const } : {}),
  };
  writeJson(options.intentFile, plan, { compact: true });
  if (swap) {
    if (fs.existsSync(liveDir)) fs.renameSync(liveDir, plan.backup);
    fs.renameSync(fromDir, liveDir);
    return finishPlaced(liveDir, plan, fromFiles, entries, {
      copied: 0,
      moved: added.length + replaced.length,
    });
  }

  fs.mkdirSync(plan.backup, { recursive: true, mode: 0o700 });
  for (const rel of [...replaced, ...dropped]) moveInto(path.join(liveDir, rel), path.join(plan.backup, rel));
  for (const dir of plan.dirsDropped) removeEmptyDir(path.join(liveDir, dir));
  fs.mkdirSync(liveDir, { recursive: true, mode: 0o700 });
  for (const dir of plan.dirsAdded) fs.mkdirSync(path.join(liveDir, dir), { recursive: true, mode: 0o700 });
  for (const rel of links) fs.symlinkSync(fromLinks.get(rel)!, path.join(liveDir, rel));
  const placed = [...replaced, ...added];
  const toCopy: string[] = [];
  let moved = 0;
  for (const rel of placed) {
    const source = path.join(fromDir, rel);
    if (move && fs.statSync(source).nlink === 1 && tryRename(source, path.join(liveDir, rel))) moved += 1;
    else toCopy.push(rel);
  }
  copyFiles(fromDir, liveDir, toCopy);
  return finishPlaced(liveDir, plan, fromFiles, entries, { copied: toCopy.length, moved });
}

/**
 * Whether the refill can swap whole directories instead of renaming every file twice (the
 * volume's out to the backup, the snapshot's in): when nothing of the volume is kept, every file
 * may move (single-use, none shared with another snapshot), the snapshot's directory holds exactly
 * its listed files, it is on the volume's filesystem, and no backup is left from before. That is
 * the refresh after every file changed, or of a volume without a manifest: 2 renames instead of
 * ~2,300 at 100 MB, which took 75-95 ms here.
 */
function canSwapDirs(options: {
  liveDir: string;
  fromDir: string;
  fromFiles: SnapshotFiles;
  move: boolean;
  backupDir: string;
  kept: number;
  fromListed: readonly string[];
}): boolean {
  const listed = Object.keys(options.fromFiles.files);
  if (!options.move || options.kept > 0 || listed.length !== options.fromListed.length) return false;
  if (fs.existsSync(options.backupDir)) return false;
  if (fs.statSync(options.fromDir).dev !== fs.statSync(path.dirname(path.resolve(options.liveDir))).dev)
    return false;
  return listed.every((rel) => statFile(path.join(options.fromDir, rel))?.nlink === 1n);
}

/** Stamps and records every file the refill placed; the kept ones are in `entries` already. */
function finishPlaced(
  liveDir: string,
  plan: RefillPlan,
  fromFiles: SnapshotFiles,
  entries: Record<string, VolumeFileEntry>,
  counts: { copied: number; moved: number },
): RefillResult {
  const placed = [...plan.replaced, ...plan.added];
  // An mtime in the past: any later write by Postgres moves it to now, which the manifest then sees.
  const past = new Date(Date.now() - 60_000);
  for (const rel of placed) {
    const file = path.join(liveDir, rel);
    fs.utimesSync(file, past, past);
    entries[rel] = statEntry(file, fromFiles.files[rel].gen, plan.from);
  }
  return {
    plan,
    manifest: { version: 1, stampNs: filesystemStampNs(path.dirname(liveDir)), files: entries },
    reused: Object.keys(fromFiles.files).length - placed.length,
    ...counts,
  };
}

/** From here on the new data stands: a crash no longer rolls the refill back. */
export function commitRefill(intentFile: string): void {
  fs.rmSync(intentFile, { force: true });
}

/** The plan of a refill a crash interrupted before its commit, if any. */
export function pendingRefill(intentFile: string): RefillPlan | undefined {
  const plan = readJson<RefillPlan>(intentFile);
  return plan?.version === 1 ? plan : undefined;
}

/**
 * Puts the volume back as it was before `plan` started, from any point of it (safe to repeat):
 * new files leave (back into the snapshot when they were renamed out of it, so it stays whole),
 * then the backup returns. A replaced file with no backup was never moved aside: it is the old one.
 */
export function rollbackRefill(liveDir: string, plan: RefillPlan): void {
  if (plan.swapped) {
    rollbackSwap(liveDir, plan);
    return;
  }
  const inBackup = (rel: string) => statFile(path.join(plan.backup, rel)) !== undefined;
  const newFiles = [...plan.replaced.filter(inBackup), ...plan.added];
  for (const rel of newFiles) {
    const file = path.join(liveDir, rel);
    const s = lstatOrUndefined(file);
    if (!s) continue;
    const source = path.join(plan.from, rel);
    if (!lstatOrUndefined(source) && s.isFile() && s.nlink === 1) moveInto(file, source);
    else fs.rmSync(file, { force: true });
  }
  for (const rel of plan.links) {
    const link = path.join(liveDir, rel);
    const s = lstatOrUndefined(link);
    if (s?.isSymbolicLink() && fs.readlinkSync(link) === fs.readlinkSync(path.join(plan.from, rel))) {
      fs.rmSync(link, { force: true });
    }
  }
  for (const rel of [...plan.replaced, ...plan.dropped]) {
    const kept = path.join(plan.backup, rel);
    if (lstatOrUndefined(kept)) moveInto(kept, path.join(liveDir, rel));
  }
  for (const dir of plan.dirsDropped) fs.mkdirSync(path.join(liveDir, dir), { recursive: true, mode: 0o700 });
  for (const dir of [...plan.dirsAdded].reverse()) removeEmptyDir(path.join(liveDir, dir));
}

/**
 * Undoes a swap from any point: the volume's directory goes back to the snapshot if it is the
 * snapshot's (the snapshot's is gone), then the backup comes back as the volume. Before the first
 * rename nothing moved; a repeat finds nothing left to do.
 */
function rollbackSwap(liveDir: string, plan: RefillPlan): void {
  if (lstatOrUndefined(liveDir) && !lstatOrUndefined(plan.from)) {
    fs.mkdirSync(path.dirname(plan.from), { recursive: true, mode: 0o700 });
    fs.renameSync(liveDir, plan.from);
  }
  if (lstatOrUndefined(plan.backup) && !lstatOrUndefined(liveDir)) fs.renameSync(plan.backup, liveDir);
}

function moveInto(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  fs.renameSync(from, to);
}

/** Only an empty directory goes: anything still in it is data this refill does not account for. */
function removeEmptyDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

function listTreeOrEmpty(dir: string): ReturnType<typeof listTree> {
  return fs.existsSync(dir) ? listTree(dir) : { dirs: [], files: [], symlinks: [] };
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
