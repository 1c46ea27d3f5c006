import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readJson } from './json-file.js';

/**
 * What Tollgate knows about one file of a volume: its stat when Tollgate last copied it in or out,
 * and `gen`, the identity of its content (a file copied from a live volume gets a fresh gen; a file
 * copied or linked from a snapshot keeps the snapshot's). Equal gens mean equal bytes.
 */
export interface VolumeFileEntry {
  readonly size: number;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly gen: string;
  /**
   * A snapshot directory that held this gen at the same relative path when Tollgate recorded it:
   * where the next snapshot links it from without searching every snapshot. Only a hint: the
   * snapshot may since be gone, or have given the file to a single-use clone.
   */
  readonly at?: string;
}

/** `volumes/<name>.files.json`. `stampNs` is the filesystem's clock once every stat was taken. */
export interface VolumeManifest {
  readonly version: 1;
  readonly stampNs: string;
  readonly files: Readonly<Record<string, VolumeFileEntry>>;
}

/** `<snapshot>/<volume>.files.json`: the gen of every file a snapshot holds. Snapshot files never change. */
export interface SnapshotFiles {
  readonly version: 1;
  readonly files: Readonly<Record<string, { readonly size: number; readonly gen: string }>>;
}

/** Describes the process that had the volume open; never copied (see copyDataDir). */
const SKIPPED_FILE = 'postmaster.pid';

interface TreeListing {
  readonly dirs: string[];
  readonly files: string[];
  readonly symlinks: string[];
}

/** Every directory, regular file and symlink under `root`, as relative paths, parents first. */
export function listTree(root: string): TreeListing {
  const out: TreeListing = { dirs: [], files: [], symlinks: [] };
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out.dirs.push(child);
        walk(child);
      } else if (entry.isSymbolicLink()) out.symlinks.push(child);
      else if (entry.isFile() && child !== SKIPPED_FILE) out.files.push(child);
    }
  };
  walk('');
  return out;
}

/** One `stat` of a volume file, in nanoseconds (bigint), or undefined when the file is gone. */
export function statFile(file: string): fs.BigIntStats | undefined {
  try {
    return fs.statSync(file, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

export function entryOf(s: fs.BigIntStats, gen: string, at?: string): VolumeFileEntry {
  const entry = { size: Number(s.size), mtimeNs: s.mtimeNs.toString(), ino: s.ino.toString(), gen };
  return at === undefined ? entry : { ...entry, at };
}

export function statEntry(file: string, gen: string, at?: string): VolumeFileEntry {
  return entryOf(fs.statSync(file, { bigint: true }), gen, at);
}

/**
 * True when a file with stat `s` is provably as Tollgate left it. As in git's "racy clean" rule, a
 * file whose mtime is not older than the stamp could have been written again within the same clock
 * tick without its mtime moving, so it counts as changed.
 */
export function unchangedSince(
  s: fs.BigIntStats | undefined,
  entry: VolumeFileEntry | undefined,
  stampNs: bigint,
): boolean {
  if (!s || !entry) return false;
  const mtimeNs = BigInt(entry.mtimeNs);
  return (
    mtimeNs < stampNs &&
    s.mtimeNs === mtimeNs &&
    Number(s.size) === entry.size &&
    s.ino.toString() === entry.ino
  );
}

/**
 * The manifest of a volume just copied whole from `fromDir`, a directory whose files never change
 * and are listed with their gens in `from`: each file keeps its gen, and `fromDir` is where the
 * next snapshot finds it to link. A file whose size differs from the listing's gets none.
 */
export function manifestOfCopy(liveDir: string, fromDir: string, from: SnapshotFiles): VolumeManifest {
  const files: Record<string, VolumeFileEntry> = {};
  for (const rel in from.files) {
    const s = statFile(path.join(liveDir, rel));
    if (s && Number(s.size) === from.files[rel].size) files[rel] = entryOf(s, from.files[rel].gen, fromDir);
  }
  return { version: 1, stampNs: filesystemStampNs(path.dirname(liveDir)), files };
}

/** Neither group nor others may read or write: what PrivateNodeFS and makeTreePrivate leave. */
export function isPrivateMode(s: fs.BigIntStats): boolean {
  return (Number(s.mode) & 0o077) === 0;
}

/** The filesystem's own clock (it may lag the system clock by a tick): the mtime of a new file. */
export function filesystemStampNs(dir: string): string {
  const marker = path.join(dir, `.stamp-${process.pid}-${randomUUID()}`);
  fs.writeFileSync(marker, '');
  try {
    return fs.statSync(marker, { bigint: true }).mtimeNs.toString();
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

export function readVolumeManifest(file: string): VolumeManifest | undefined {
  const m = readJson<VolumeManifest>(file);
  return m?.version === 1 ? m : undefined;
}

export function readSnapshotFiles(file: string): SnapshotFiles | undefined {
  const m = readJson<SnapshotFiles>(file);
  return m?.version === 1 ? m : undefined;
}
