import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { TASKS } from '../functions/task-registry.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * Each Lambda handler bundled the way infra/constructs/tollgate-function.ts has CDK's
 * NodejsFunction bundle it locally (esbuild: bundle for node22, ESM with the createRequire
 * banner, minified, external source map, module-first main fields, nothing external, not even the
 * AWS SDK), then its size and the time a fresh Node process takes to import it (a cold start's
 * module-load share), median of several processes.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const SIZE_TARGET_BYTES = 1_000_000;
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

export async function benchBundles(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const runs = options.quick ? 3 : 7;
  const names = [...TASKS.map((t) => t.name), 'webhook', 'approve'];
  const out = mkdtempSync(join(tmpdir(), 'tollgate-bench-bundles-'));
  const rows: BenchRow[] = [];
  try {
    for (const name of names) rows.push(...(await measure(name, out, runs)));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return { rows };
}

async function measure(name: string, out: string, runs: number): Promise<BenchRow[]> {
  const entry = resolve(root, 'functions', name, 'handler.ts');
  if (!existsSync(entry)) {
    return [{ name: `${name}: bundle`, value: 'not measured', unit: '', target: `no ${relative(entry)}` }];
  }
  const outfile = join(out, name, 'index.mjs');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: true,
    mainFields: ['module', 'main'],
    banner: { js: BANNER },
    outfile,
    logLevel: 'error',
    absWorkingDir: root,
    metafile: true,
  });
  const bytes = statSync(outfile).size;
  const importMs = medianImportMs(outfile, runs);
  return [
    {
      name: `${name}: bundle (minified; largest part ${largestPackage(result.metafile)})`,
      value: bytes / 1024,
      unit: 'KiB',
      target: '≤ 1 MB',
      met: bytes <= SIZE_TARGET_BYTES,
    },
    {
      name: `${name}: import in a fresh process`,
      value: typeof importMs === 'number' ? importMs : importMs.error,
      unit: typeof importMs === 'number' ? 'ms (median)' : '',
    },
  ];
}

/** Imports the bundle in `runs` fresh processes, as a Lambda cold start would load it. */
function medianImportMs(file: string, runs: number): number | { error: string } {
  const script = [
    'const began = performance.now();',
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    'console.log(performance.now() - began);',
  ].join('\n');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, ['--input-type=module', '--enable-source-maps', '-e', script], {
      encoding: 'utf8',
      // What Lambda sets; handler modules read their configuration lazily, at the first call.
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', AWS_LAMBDA_FUNCTION_NAME: 'bench' },
    });
    const ms = Number(child.stdout.trim().split('\n').pop());
    if (child.status !== 0 || !Number.isFinite(ms)) {
      const line = child.stderr.split('\n').find((l) => /Error/.test(l)) ?? `exit ${child.status}`;
      return { error: `import failed: ${line.trim().slice(0, 120)}` };
    }
    times.push(ms);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/** Which package contributes most output bytes: where to look when a bundle is over target. */
function largestPackage(metafile: Metafile): string {
  // One build, one bundle: the only .mjs output (the other is its source map).
  const output = Object.entries(metafile.outputs).find(([path]) => path.endsWith('.mjs'));
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.[1].inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1] : 'tollgate code';
    bytes.set(key, (bytes.get(key) ?? 0) + bytesInOutput);
  }
  const [top] = [...bytes].sort((a, b) => b[1] - a[1]);
  return top ? `${top[0]} ${Math.round(top[1] / 1024)} KiB` : 'unknown';
}

function relative(path: string): string {
  return path.startsWith(root) ? path.slice(root.length) : path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatTable } = await import('./bench-row.js');
  const result = await benchBundles({ quick: process.argv.includes('--quick') });
  console.log(formatTable('bundles', result.rows));
}
