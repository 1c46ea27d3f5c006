/** Set by the banner of every chunk of the precompiled CLI (scripts/build-cli.ts); absent in source. */
declare const __tollgatePackageRoot: URL | undefined;

/**
 * Where a PGlite worker thread starts: the bundle's own entry in the precompiled CLI, else a
 * JavaScript trampoline that registers tsx before it imports pglite-thread.ts (a worker does not
 * inherit its parent's TypeScript loader, and `execArgv: ['--import', 'tsx']` does not reach a
 * worker's entry on Node 20).
 */
export function pgliteThreadEntry(): URL {
  if (typeof __tollgatePackageRoot !== 'undefined') {
    return new URL('dist/cli/pglite-thread.js', __tollgatePackageRoot);
  }
  return new URL('./pglite-thread-from-source.mjs', import.meta.url);
}
