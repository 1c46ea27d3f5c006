import { readFileSync } from 'node:fs';

interface PackageManifest {
  readonly version?: unknown;
  readonly engines?: { readonly node?: string };
}

/**
 * Tollgate's own package.json: the one place its version and its Node.js minimum are declared. The
 * URL is relative to this source file; the CLI bundle rewrites each module's import.meta.url to its
 * source file's place in the package (scripts/build-cli.ts), so it resolves the same from dist/cli/.
 */
export function packageManifest(): PackageManifest {
  return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as PackageManifest;
}

/** The version of the installed Tollgate package. */
export function packageVersion(): string {
  const { version } = packageManifest();
  if (typeof version !== 'string') throw new Error("Tollgate's package.json has no version");
  return version;
}
