import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import type { BuildOptions, BuildResult } from 'esbuild';

/*
 * The one place that says how a Lambda function is bundled, used by the TollgateFunction construct,
 * `npm run build` (dist/lambda/) and the bundle bench, and the build cache between them: next to each
 * bundle `npm run build` writes `<name>.build.json`, the content hash of every file esbuild read for
 * it (and of what steers its module resolution) plus a hash of these options. A synth reuses the
 * bundle only when all of them still match, so `cdk synth` right after `npm run build` does not
 * bundle the same code a second time, and a changed byte anywhere in its inputs makes it bundle anew.
 */

type Esbuild = typeof import('esbuild');

/** Where `npm run build` puts each function's bundle, relative to the project root. */
export const LAMBDA_OUT_DIR = 'dist/lambda';
const BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";
/** Bumped when the manifest's meaning changes, so an older dist/lambda is not trusted. */
const MANIFEST_VERSION = 1;
/** Files outside the metafile that change what esbuild resolves or emits. */
const PROJECT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json'];

/**
 * esbuild: bundle for node22, ESM with the createRequire banner (CommonJS dependencies inside an ESM
 * bundle still call require() for Node built-ins), minified, external source map without the sources
 * (stack traces keep file and line; the package loses about 60 MB), module-first main fields, and
 * nothing external, not even the AWS SDK: the code runs against the versions it was tested with.
 */
const LAMBDA_BUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: BANNER },
} as const satisfies BuildOptions;

/** One bundle: its files by name (`index.mjs`, `index.mjs.map`) and the inputs esbuild read for it. */
export interface LambdaBundleOutput {
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Metafile inputs, relative to the project root, with the bytes each put in the output. */
  readonly inputs: Readonly<Record<string, { bytesInOutput: number }>>;
}

/** The project's own esbuild, as NodejsFunction finds it; loaded only when something is bundled. */
function loadEsbuild(root: string): Esbuild {
  try {
    return createRequire(join(root, 'package.json'))('esbuild') as Esbuild;
  } catch {
    throw new Error(
      `esbuild is not installed in ${join(root, 'node_modules')}; install it (npm install --save-dev esbuild) to bundle the Lambda functions`,
    );
  }
}

/** The options plus the esbuild version: a manifest made with anything else is not reused. */
function optionsHash(esbuildVersion: string): string {
  return sha256(JSON.stringify({ MANIFEST_VERSION, esbuildVersion, LAMBDA_BUILD_OPTIONS }));
}

/**
 * esbuild options for `entries` (name → handler path). The output directory is always the project's
 * dist/lambda, even when the files are written elsewhere: the source map's paths are relative to it,
 * so a bundle made for a synth is byte for byte the one `npm run build` made.
 */
function buildOptions(root: string, entries: Readonly<Record<string, string>>): BuildOptions {
  return {
    ...LAMBDA_BUILD_OPTIONS,
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, entry]) => [`${name}/index`, entry])),
    outdir: resolve(root, LAMBDA_OUT_DIR),
    absWorkingDir: root,
    write: false,
    metafile: true,
    logLevel: 'error',
  };
}

function splitOutputs(
  root: string,
  names: readonly string[],
  result: BuildResult,
): Map<string, LambdaBundleOutput> {
  const out = resolve(root, LAMBDA_OUT_DIR);
  const bundles = new Map<string, LambdaBundleOutput>();
  for (const name of names) {
    const files = new Map<string, Uint8Array>();
    for (const file of result.outputFiles ?? [])
      if (dirname(file.path) === join(out, name))
        files.set(relative(join(out, name), file.path), file.contents);
    const key = `${LAMBDA_OUT_DIR}/${name}/index.mjs`;
    const inputs = result.metafile?.outputs[key]?.inputs;
    if (!inputs || !files.has('index.mjs')) throw new Error(`esbuild produced no ${key} for ${name}`);
    bundles.set(name, { files, inputs });
  }
  return bundles;
}

/** Bundles one handler synchronously (a synth bundles inside a construct) into `outputDir`. */
export function bundleLambdaSync(root: string, name: string, entry: string, outputDir: string): void {
  root = resolve(root);
  const esbuild = loadEsbuild(root);
  const bundle = splitOutputs(root, [name], esbuild.buildSync(buildOptions(root, { [name]: entry })));
  writeFiles(outputDir, bundle.get(name)!);
}

/**
 * Bundles several handlers in one esbuild run (shared modules are parsed once; each entry still gets
 * a bundle of its own) and writes `<out>/<name>/`. With `manifests`, also each `<name>.build.json`,
 * the cache a synth checks; the builds's own output dir for that is the project's dist/lambda.
 */
export async function bundleLambdas(
  root: string,
  entries: Readonly<Record<string, string>>,
  out: string,
  options: { manifests?: boolean } = {},
): Promise<Map<string, LambdaBundleOutput>> {
  root = resolve(root);
  const esbuild = loadEsbuild(root);
  const started = Date.now();
  const result = await esbuild.build(buildOptions(root, entries));
  const bundles = splitOutputs(root, Object.keys(entries), result);
  for (const [name, bundle] of bundles) {
    const dir = join(out, name);
    // The old manifest goes first: it must never describe a directory being rewritten.
    const manifestPath = manifestFile(out, name);
    rmSync(manifestPath, { force: true });
    rmSync(dir, { recursive: true, force: true });
    writeFiles(dir, bundle);
    if (!options.manifests) continue;
    const manifest = describeBuild(root, relative(root, entries[name]!), bundle, esbuild.version, dir);
    // A file edited while esbuild ran may be hashed with content the bundle does not hold: such a
    // bundle gets no manifest, and the next synth bundles the function itself.
    if (newestInput(root, manifest) < started)
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 1)}\n`);
  }
  return bundles;
}

function writeFiles(dir: string, bundle: LambdaBundleOutput): void {
  mkdirSync(dir, { recursive: true });
  for (const [file, contents] of bundle.files) writeFileSync(join(dir, file), contents);
}

export function manifestFile(out: string, name: string): string {
  return join(out, `${name}.build.json`);
}

/** What a bundle was built from: enough to tell, without bundling, that a new build would be the same. */
interface BuildManifest {
  readonly options: string;
  /** The handler, relative to the project root. */
  readonly entry: string;
  /** Every file esbuild read, the package.json files above them and the project files: content hashes. */
  readonly files: Record<string, string>;
  /** Each directory an input sits in: a hash of its listing (a file added there can change resolution). */
  readonly dirs: Record<string, string>;
  /** The bundle's own files, so a damaged or half-written dist/lambda/<name>/ is not deployed. */
  readonly outputs: Record<string, string>;
}

function describeBuild(
  root: string,
  entry: string,
  bundle: LambdaBundleOutput,
  esbuildVersion: string,
  dir: string,
): BuildManifest {
  // Inputs from a plugin namespace (none today) are not files; everything else is a path.
  const inputs = Object.keys(bundle.inputs).filter((p) => !p.includes(':'));
  const dirs = new Set(inputs.map((p) => dirname(p)));
  const files = new Set([...inputs, ...PROJECT_FILES, ...packageJsonsAbove(root, dirs)]);
  return {
    options: optionsHash(esbuildVersion),
    entry,
    files: Object.fromEntries([...files].sort().map((p) => [p, fileHash(resolve(root, p))])),
    dirs: Object.fromEntries([...dirs].sort().map((d) => [d, listingHash(resolve(root, d))])),
    outputs: Object.fromEntries(listing(dir).map((f) => [f, fileHash(join(dir, f))])),
  };
}

/** package.json files decide module type, sideEffects and entry points: each one from an input's directory up to the root. */
function packageJsonsAbove(root: string, dirs: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  for (const start of dirs) {
    for (let d = start; d !== '.' && d !== '' && !d.startsWith('..'); d = dirname(d)) {
      const candidate = `${d}/package.json`;
      if (found.has(candidate)) break;
      if (existsSync(resolve(root, candidate))) found.add(candidate);
    }
  }
  return [...found];
}

function newestInput(root: string, manifest: BuildManifest): number {
  const paths = [...Object.keys(manifest.files), ...Object.keys(manifest.dirs)].map((p) => resolve(root, p));
  return Math.max(0, ...paths.filter((p) => existsSync(p)).map((p) => statSync(p).mtimeMs));
}

type CachedBundle = { readonly dir: string } | { readonly stale: string };

/**
 * The directory `npm run build` made for this handler, when it is provably what bundling it now would
 * make: same options and esbuild, same handler, and every file it was built from unchanged. Otherwise
 * why not, in a few words (a missing or unreadable manifest just means "bundle it").
 */
export function cachedBundle(root: string, name: string, entry: string): CachedBundle {
  root = resolve(root);
  const out = resolve(root, LAMBDA_OUT_DIR);
  const dir = join(out, name);
  let manifest: BuildManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile(out, name), 'utf8')) as BuildManifest;
  } catch (error) {
    return { stale: `no readable ${name}.build.json (${(error as Error).message.split('\n')[0]})` };
  }
  let esbuildVersion: string;
  try {
    esbuildVersion = loadEsbuild(root).version;
  } catch (error) {
    return { stale: (error as Error).message };
  }
  if (manifest.options !== optionsHash(esbuildVersion))
    return { stale: 'built with other esbuild options or version' };
  if (manifest.entry !== relative(root, entry)) return { stale: `built from ${manifest.entry}` };
  for (const [path, hash] of Object.entries(manifest.files ?? {}))
    if (fileHash(resolve(root, path)) !== hash) return { stale: `${path} changed` };
  for (const [path, hash] of Object.entries(manifest.dirs ?? {}))
    if (listingHash(resolve(root, path)) !== hash) return { stale: `files added to or removed from ${path}` };
  const outputs = Object.entries(manifest.outputs ?? {});
  if (!existsSync(dir) || listing(dir).join('\0') !== outputs.map(([f]) => f).join('\0'))
    return { stale: `${LAMBDA_OUT_DIR}/${name}/ holds other files than were built` };
  for (const [file, hash] of outputs)
    if (fileHash(join(dir, file)) !== hash) return { stale: `${LAMBDA_OUT_DIR}/${name}/${file} changed` };
  return { dir };
}

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function listingHash(dir: string): string {
  return sha256(listing(dir).join('\0'));
}

/**
 * A file's sha256, remembered by inode, size and modification time: the 19 functions share most of
 * their inputs (the AWS SDK), and each is read once per process.
 */
const hashes = new Map<string, string>();
function fileHash(path: string): string {
  let key: string;
  try {
    const s = statSync(path, { bigint: true });
    if (!s.isFile()) return 'not a file';
    key = `${path}\0${s.ino}\0${s.size}\0${s.mtimeNs}`;
  } catch {
    return 'absent';
  }
  let hash = hashes.get(key);
  if (hash === undefined) {
    hash = sha256(readFileSync(path));
    hashes.set(key, hash);
  }
  return hash;
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
