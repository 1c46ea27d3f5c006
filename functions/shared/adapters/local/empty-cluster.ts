import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { copyDataDir } from './file-copy.js';
import { ensurePrivateDir } from './private-file.js';

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
 * Returns false, having done nothing, when no template can be made (a read-only cache directory):
 * the caller lets PGlite run initdb itself, as before.
 */
export async function fillWithEmptyCluster(
  dir: string,
  startParams: readonly string[],
  options: EmptyClusterOptions = {},
): Promise<boolean> {
  const template = await ensureTemplate(options.cacheDir ?? clusterCacheDir(), startParams);
  if (!template) return false;
  const staging = `${dir}.new-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  copyDataDir(template, staging);
  fs.renameSync(staging, dir);
  return true;
}

/** The template's directory, made by one initdb on first use; undefined when it cannot be made. */
async function ensureTemplate(cacheDir: string, startParams: readonly string[]): Promise<string | undefined> {
  const template = path.join(cacheDir, `pglite-${pgliteVersion()}-empty-cluster`);
  if (fs.existsSync(path.join(template, 'PG_VERSION'))) return template;
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
