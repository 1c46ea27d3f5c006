import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TASKS } from '../functions/task-registry.js';
import { bundleLambdas as bundleAll, type LambdaBundleOutput } from '../infra/lambda-build.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * Each Lambda handler bundled as infra/constructs/tollgate-function.ts bundles it (the options of
 * infra/lambda-build.ts), then its size and the time a fresh Node process takes to import it (a cold start's
 * module-load share), median of several processes.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
/** Lambda's budget per function bundle that this repository holds itself to (the bench and a test). */
export const BUNDLE_SIZE_TARGET_BYTES = 1_000_000;

/** Every function the stack deploys: the ASL tasks, the run-end rule's, the approve URL and the webhook. */
export const LAMBDA_FUNCTIONS: readonly string[] = [
  ...TASKS.map((t) => t.name),
  'release-ended-run',
  'webhook',
  'approve',
];

export async function benchBundles(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const runs = options.quick ? 3 : 7;
  const out = mkdtempSync(join(tmpdir(), 'tollgate-bench-bundles-'));
  const rows: BenchRow[] = [];
  try {
    const present = LAMBDA_FUNCTIONS.filter((name) => existsSync(handlerPath(name)));
    const bundles = await bundleLambdas(present, out);
    for (const name of LAMBDA_FUNCTIONS) {
      const bundle = bundles[name];
      rows.push(...(bundle ? measure(name, bundle, runs) : [notMeasured(name)]));
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return { rows };
}

function handlerPath(name: string): string {
  return resolve(root, 'functions', name, 'handler.ts');
}

function notMeasured(name: string): BenchRow {
  return {
    name: `${name}: bundle`,
    value: 'not measured',
    unit: '',
    target: `no ${relative(handlerPath(name))}`,
  };
}

function measure(name: string, { bytes, outfile, largestPart }: LambdaBundle, runs: number): BenchRow[] {
  const importMs = medianImportMs(outfile, runs);
  return [
    {
      name: `${name}: bundle (minified; largest part ${largestPart})`,
      value: bytes / 1024,
      unit: 'KiB',
      target: '≤ 1 MB',
      met: bytes <= BUNDLE_SIZE_TARGET_BYTES,
    },
    {
      name: `${name}: import in a fresh process`,
      value: typeof importMs === 'number' ? importMs : importMs.error,
      unit: typeof importMs === 'number' ? 'ms (median)' : '',
    },
  ];
}

export interface LambdaBundle {
  readonly bytes: number;
  readonly outfile: string;
  /** Output bytes by package: where to look when a bundle is over target. */
  readonly largestPart: string;
}

/**
 * Bundles each `functions/<name>/handler.ts` into `<out>/<name>/index.mjs` with the construct's
 * options (infra/lambda-build.ts), all in one esbuild run. With `manifests` (npm run build), each
 * bundle also gets the `<name>.build.json` a synth checks before reusing it.
 */
export async function bundleLambdas(
  names: readonly string[],
  out: string,
  options: { manifests?: boolean } = {},
): Promise<Record<string, LambdaBundle>> {
  const built = await bundleAll(
    root,
    Object.fromEntries(names.map((n) => [n, handlerPath(n)])),
    out,
    options,
  );
  const bundles: Record<string, LambdaBundle> = {};
  for (const [name, bundle] of built) {
    const outfile = join(out, name, 'index.mjs');
    bundles[name] = { bytes: statSync(outfile).size, outfile, largestPart: largestPackage(bundle.inputs) };
  }
  return bundles;
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

/** Which package contributes most output bytes to one bundle. */
function largestPackage(inputs: LambdaBundleOutput['inputs']): string {
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
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
