import { readFileSync } from 'node:fs';

/**
 * The version of the installed Tollgate package, from its package.json. This module sits two
 * directories below the package root both as a source file (cli/commands/) and in the bundle
 * (dist/cli/), so one relative URL finds the file from either.
 */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  if (typeof manifest.version !== 'string') throw new Error("Tollgate's package.json has no version");
  return manifest.version;
}
