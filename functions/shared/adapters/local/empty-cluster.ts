import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { copyDataDir } from './file-copy.js';
import { ensurePrivateDir } from './private-file.js';
import { makeTreePrivate } from './private-node-fs.js';
import { isPrivateMode, listTree, type SnapshotFiles, statFile } from './volume-manifest.js';

export interface EmptyClusterOptions {
  /** Where the per-version template lives. @default see `clusterCacheDir()` */
  readonly cacheDir?: string;
}

/**
 * The machine's cache directory for Tollgate: `TOLLGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/tollgate`,
 * else `~/.cache/tollgate`. It holds nothing but empty clusters, never an environment's data.
 */
export function clusterCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TOLLGATE_CACHE_DIR) return path.resolve(env.TOLLGATE_CACHE_DIR);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(base, 'tollgate');
}

/**
 * Fills `dir` (which must not exist) with a new, empty Postgres cluster, copied from one initdb kept
 * per PGlite version in the cache directory.
 *
 * Why: PGlite's initdb takes about 5 s, twelve times a start of the cluster it makes, and every new
 * volume paid it: each environment's first `tollgate up`, each `tollgate down` and up again, each
 * test's pipeline. A Postgres data directory is relocatable and an empty one holds no data, so one
 * initdb serves them all. The copy lands under a temporary name and is renamed into place, so `dir`
 * is a whole cluster or absent (PG_VERSION is what makes a volume exist).
 *
 * Returns undefined, having done nothing, when no template can be made (a read-only cache
 * directory): the caller lets PGlite run initdb itself, as before.
 */
export async function fillWithEmptyCluster(
  dir: string,
  startParams: readonly string[],
  options: EmptyClusterOptions = {},
): Promise<EmptyClusterFill | undefined> {
  const template = await ensureTemplate(options.cacheDir ?? clusterCacheDir(), startParams);
  if (!template) return undefined;
  const files = templateFiles(template) ?? { version: 1, files: {} };
  const staging = `${dir}.new-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  copyDataDir(template, staging);
  fs.renameSync(staging, dir);
  return { templateDir: template, files };
}

/**
 * Where a new volume's files came from: the template, and the gen of each of its files. Recorded as
 * the volume's manifest, it lets the volume's first snapshot hard-link every file still as copied
 * from the template instead of copying it (files are what a disk here pays for, ~1,000 per
 * cluster), and a refill keep every file that both sides still have from it.
 */
export interface EmptyClusterFill {
  readonly templateDir: string;
  readonly files: SnapshotFiles;
}

/** Whether `dir` is a template under `cacheDir`: a place a volume's manifest may point its files to. */
export function isTemplateDir(dir: string, cacheDir: string = clusterCacheDir()): boolean {
  return path.dirname(dir) === cacheDir && TEMPLATE_NAME.test(path.basename(dir));
}

const TEMPLATE_NAME = /^pglite-[^/]+-empty-cluster$/;

/**
 * The template's files with their gens, or undefined when `templateDir` holds no cluster (deleted
 * since). A gen names the cluster by its system identifier, the first field of pg_control, which
 * every initdb draws anew: a template deleted and made again has other bytes under the same names,
 * and its files must never pass for the old one's. Derived, not stored, so processes racing to
 * make or read a template can never disagree about it.
 */
export function templateFiles(templateDir: string): SnapshotFiles | undefined {
  const identity = systemIdentifier(templateDir);
  if (!identity) return undefined;
  const files: Record<string, { size: number; gen: string }> = {};
  for (const rel of listTree(templateDir).files) {
    const s = statFile(path.join(templateDir, rel));
    if (s) files[rel] = { size: Number(s.size), gen: `empty-cluster/${identity}:${rel}` };
  }
  return { version: 1, files };
}

function systemIdentifier(clusterDir: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(path.join(clusterDir, 'global', 'pg_control'), 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const head = Buffer.alloc(8);
    return fs.readSync(fd, head, 0, 8, 0) === 8 ? head.readBigUInt64LE().toString() : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The template's directory, made by one initdb on first use; undefined when it cannot be made. */
async function ensureTemplate(cacheDir: string, startParams: readonly string[]): Promise<string | undefined> {
  const template = path.join(cacheDir, `pglite-${pgliteVersion()}-empty-cluster`);
  const version = statFile(path.join(template, 'PG_VERSION'));
  if (version) {
    // Templates made before snapshots linked them kept initdb's 0666 files (in a 0700 directory).
    if (!isPrivateMode(version)) makeTreePrivate(template);
    return template;
  }
  let building: string;
  try {
    ensurePrivateDir(cacheDir);
    building = fs.mkdtempSync(path.join(cacheDir, '.building-'));
  } catch {
    return undefined;
  }
  try {
    const db = await PGlite.create({ dataDir: building, startParams: [...startParams] });
    await db.close();
    // Owner-only, as every copy of it is: a snapshot may hard-link its files.
    makeTreePrivate(building);
    fs.renameSync(building, template);
  } catch (error) {
    fs.rmSync(building, { recursive: true, force: true });
    // Another process renamed its template into place first: theirs is as good as ours.
    if (fs.existsSync(path.join(template, 'PG_VERSION'))) return template;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'ENOSPC') return undefined;
    throw error;
  }
  return template;
}

/** PGlite's own version: a newer PGlite may change the catalog, so each gets its own template. */
function pgliteVersion(): string {
  // The package does not export its package.json: find it above the resolved entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const { name, version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, string>;
      if (name === '@electric-sql/pglite' && version) return version;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = parent;
  }
}
