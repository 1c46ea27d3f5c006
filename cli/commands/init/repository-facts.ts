import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** What `tollgate init` found in a repository, from which it writes tollgate.config.ts. */
export interface RepositoryFacts {
  readonly name: string;
  readonly branch: string;
  readonly author: string | undefined;
  readonly buildScript: boolean;
  readonly startScript: boolean;
  readonly lockfile: boolean;
  /** A directory of `NNNN_name.sql` files, relative to the root. */
  readonly migrations: string | undefined;
  /** A health route the source names, with the file it was seen in. */
  readonly health: { readonly path: string; readonly seenIn: string } | undefined;
}

const MIGRATION_DIRS = ['migrations', 'db/migrations', 'database/migrations', 'sql/migrations'];
const HEALTH_PATHS = ['/health', '/healthz', '/ready', '/readyz', '/status'];
const SOURCE_FILE = /\.(?:[cm]?js|[cm]?ts|jsx|tsx)$/;
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.tollgate',
  'dist',
  'build',
  'coverage',
  'test',
  'tests',
]);

/** A pipeline name (`a-z0-9-`, starts with a letter) from the package name (`@team/orders` → `orders`). */
function pipelineName(packageName: unknown, dir: string): string {
  const raw =
    typeof packageName === 'string' && packageName ? packageName : (dir.split(/[/\\]/).at(-1) ?? '');
  const name = raw
    .replace(/^@[^/]+\//, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '');
  return name || 'app';
}

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

function migrationsDir(root: string): string | undefined {
  return MIGRATION_DIRS.find((dir) => {
    const full = join(root, dir);
    return (
      existsSync(full) &&
      statSync(full).isDirectory() &&
      readdirSync(full).some((f) => /^\d+_.+\.sql$/.test(f))
    );
  });
}

/** The first known health path quoted in a source file (at most 500 files read, skipping tests). */
function healthRoute(root: string): RepositoryFacts['health'] {
  const queue = [root];
  let read = 0;
  while (queue.length && read < 500) {
    const dir = queue.shift()!;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) queue.push(full);
      } else if (SOURCE_FILE.test(entry.name) && !/\.(test|spec)\./.test(entry.name)) {
        read++;
        const text = readFileSync(full, 'utf8');
        const path = HEALTH_PATHS.find((p) => new RegExp(`['"\`]${p}['"\`?]`).test(text));
        if (path) return { path, seenIn: relative(root, full) };
      }
    }
  }
  return undefined;
}

export function repositoryFacts(root: string, packageJson: Record<string, unknown>): RepositoryFacts {
  const scripts = (packageJson.scripts ?? {}) as Record<string, unknown>;
  return {
    name: pipelineName(packageJson.name, root),
    branch: git(root, ['symbolic-ref', '--short', 'HEAD']) ?? 'main',
    author: git(root, ['config', 'user.email']) || undefined,
    buildScript: typeof scripts.build === 'string',
    startScript: typeof scripts.start === 'string',
    lockfile: existsSync(join(root, 'package-lock.json')),
    migrations: migrationsDir(root),
    health: healthRoute(root),
  };
}
