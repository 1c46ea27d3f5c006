import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What Tollgate writes into a user's repository that must never be committed: the local runtime's
 * data (`.tollgate/`: volumes, secrets, ledger) and the CDK template `tollgate deploy-stack`
 * synthesizes (`cdk.out/`, which holds every Lambda bundle).
 */
export const IGNORED_PATHS = ['.tollgate/', 'cdk.out/'] as const;

/** `.tollgate`, `.tollgate/` and `/.tollgate/` all ignore the directory at the root. */
function spellings(path: string): string[] {
  const bare = path.replace(/\/$/, '');
  return [bare, `${bare}/`, `/${bare}`, `/${bare}/`];
}

/** Appends the paths .gitignore does not ignore yet; returns them (none: the file is untouched). */
export function ignoreGeneratedPaths(dir: string): string[] {
  const file = join(dir, '.gitignore');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const lines = new Set(text.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED_PATHS.filter((p) => !spellings(p).some((s) => lines.has(s)));
  if (missing.length)
    writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}${missing.join('\n')}\n`);
  return missing;
}
