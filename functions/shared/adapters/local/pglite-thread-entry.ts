import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Set by the banner of every chunk of the precompiled CLI (scripts/build-cli.ts); absent in source. */
declare const __tollgatePackageRoot: URL | undefined;

let fromSource: Promise<URL> | undefined;

/**
 * Where a PGlite worker thread starts: the precompiled CLI's own entry (dist/cli/pglite-thread.js);
 * from the sources (tsx, vitest), pglite-thread.ts compiled to JavaScript once per process. A worker
 * does not inherit its parent's TypeScript loader, and registering tsx in each thread (on Node 20,
 * `execArgv: ['--import', 'tsx']` does not reach a worker's entry) costs a loader thread of its own
 * per worker: about 50 MiB of RSS per served volume, measured with three.
 */
export function pgliteThreadEntry(): Promise<URL> {
  if (typeof __tollgatePackageRoot !== 'undefined') {
    return Promise.resolve(new URL('dist/cli/pglite-thread.js', __tollgatePackageRoot));
  }
  fromSource ??= compileThreadEntry();
  return fromSource;
}

/**
 * Bundles the thread's sources (packages stay imports) into node_modules/.cache, where those imports
 * resolve, under a name made of the output's hash, written aside and renamed: a process starting a
 * thread never reads a file another process is still writing.
 * esbuild is there whenever the sources run (tsx is built on it); its async build keeps the loop free.
 */
async function compileThreadEntry(): Promise<URL> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./pglite-thread.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]!.contents;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const dir = new URL('../../../../node_modules/.cache/tollgate/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const file = new URL(`pglite-thread-${hash}.mjs`, dir);
  if (!existsSync(file)) {
    const aside = new URL(`pglite-thread-${hash}.${process.pid}.tmp`, dir);
    writeFileSync(aside, code);
    renameSync(aside, file);
  }
  return file;
}
