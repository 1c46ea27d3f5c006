import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE } from '../../functions/shared/wiring/env.js';
import { TollgateFunction } from '../../infra/constructs/tollgate-function.js';
import { bundleLambdas, cachedBundle, LAMBDA_OUT_DIR, manifestFile } from '../../infra/lambda-build.js';
import { REPO_ROOT } from '../../infra/repo-paths.js';

/**
 * The build cache between `npm run build` and a synth, on a small real project (two handlers, a
 * shared module, a package in node_modules, the repository's own esbuild): dist/lambda/<name>/ is
 * reused exactly while nothing it was built from has changed, and either way the template points at
 * the same asset.
 */
const CONFIG = '{"name":"orders"}';
const SOURCES: Record<string, string> = {
  'package.json': '{ "name": "cache-fixture", "type": "module" }\n',
  'package-lock.json': '{ "name": "cache-fixture", "lockfileVersion": 3, "packages": {} }\n',
  'tsconfig.json': '{ "compilerOptions": { "strict": true } }\n',
  'functions/shared/shout.ts': "export const shout = (text: string): string => text.toUpperCase() + '!';\n",
  'functions/hello/handler.ts':
    "import { greeting } from 'fake-dep';\nimport { shout } from '../shared/shout.js';\nexport const handler = async () => shout(greeting + ' from hello');\n",
  'functions/bye/handler.ts':
    "import { shout } from '../shared/shout.js';\nexport const handler = async () => shout('bye');\n",
  'node_modules/fake-dep/package.json': '{ "name": "fake-dep", "version": "1.0.0", "main": "index.js" }\n',
  'node_modules/fake-dep/index.js': "export const greeting = 'hello';\n",
};

let root = '';
let scratch = '';
const entry = (name: string) => join(root, 'functions', name, 'handler.ts');
const out = () => join(root, LAMBDA_OUT_DIR);

/** `npm run build`'s Lambda step on the fixture: both handlers in one esbuild run, with manifests. */
async function build(): Promise<void> {
  await bundleLambdas(root, { hello: entry('hello'), bye: entry('bye') }, out(), { manifests: true });
}

/** A synth of one TollgateFunction for `hello`: how its code was made and the asset it points at. */
function synth() {
  const app = new App({ outdir: mkdtempSync(join(scratch, 'cdk.out-')) });
  const stack = new Stack(app, 'Cache');
  const fn = new TollgateFunction(stack, 'Hello', {
    entry: entry('hello'),
    projectRoot: root,
    taskName: 'hello',
    config: CONFIG,
  });
  const assembly = app.synth();
  const template = JSON.parse(readFileSync(join(assembly.directory, 'Cache.template.json'), 'utf8'));
  const id = stack.getLogicalId(fn.function.node.defaultChild as never);
  const hash = String(template.Resources[id].Properties.Code.S3Key).replace(/\.zip$/, '');
  return { from: fn.codeFrom, hash, assetDir: join(assembly.directory, `asset.${hash}`) };
}

/** Edits one byte of a fixture file (the same length, so only the content differs). */
function changeOneByte(path: string, from: string, to: string): void {
  const full = join(root, path);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
}

beforeEach(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tollgate-build-cache-'));
  root = join(scratch, 'project');
  for (const [path, text] of Object.entries(SOURCES)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules/esbuild'), join(root, 'node_modules/esbuild'));
  // Sources older than the build, as a checkout's are (a file newer than the build gets no manifest).
  const past = new Date(Date.now() - 60_000);
  for (const path of Object.keys(SOURCES)) utimesSync(join(root, path), past, past);
  for (const dir of ['functions/shared', 'functions/hello', 'functions/bye', 'node_modules/fake-dep', '.'])
    utimesSync(join(root, dir), past, past);
  await build();
});

afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('a synth after npm run build', () => {
  it('reuses the fresh bundle, and points at the same asset esbuild makes of the same code', () => {
    // Act
    const reused = synth();
    rmSync(manifestFile(out(), 'hello'));
    const bundled = synth();

    // Assert
    expect(reused.from).toBe('build');
    expect(bundled.from).toBe('esbuild');
    expect(reused.hash).toBe(bundled.hash);
    for (const file of ['index.mjs', 'index.mjs.map'])
      expect(readFileSync(join(reused.assetDir, file)).equals(readFileSync(join(out(), 'hello', file)))).toBe(
        true,
      );
    expect(readdirSync(bundled.assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map', CONFIG_FILE]);
    expect(readFileSync(join(bundled.assetDir, CONFIG_FILE), 'utf8')).toBe(CONFIG);
  });

  it.each([
    ['a source file', 'functions/shared/shout.ts', "'!'", "'?'"],
    ['the handler', 'functions/hello/handler.ts', 'from hello', 'frum hello'],
    ['a dependency in node_modules', 'node_modules/fake-dep/index.js', "'hello'", "'hallo'"],
  ])('bundles again when one byte of %s changed, into a new asset', (_what, path, from, to) => {
    // Arrange
    const before = synth();
    changeOneByte(path, from, to);

    // Act
    const after = synth();

    // Assert
    expect(before.from).toBe('build');
    expect(cachedBundle(root, 'hello', entry('hello'))).toEqual({ stale: `${path} changed` });
    expect(after.from).toBe('esbuild');
    expect(after.hash).not.toBe(before.hash);
  });

  it.each([
    [
      'the lock file changed',
      () => appendFileSync(join(root, 'package-lock.json'), ' '),
      'package-lock.json changed',
    ],
    [
      'a dependency changed its package.json',
      () => changeOneByte('node_modules/fake-dep/package.json', '1.0.0', '1.0.1'),
      'node_modules/fake-dep/package.json changed',
    ],
    [
      'a file appeared beside an input',
      () => writeFileSync(join(root, 'functions/shared/shout.js'), 'export const shout = () => 1;\n'),
      'files added to or removed from functions/shared',
    ],
    [
      'the bundle in dist/lambda was altered',
      () => appendFileSync(join(root, LAMBDA_OUT_DIR, 'hello/index.mjs'), '\n'),
      `${LAMBDA_OUT_DIR}/hello/index.mjs changed`,
    ],
    [
      'it was built with other options',
      () => {
        const path = manifestFile(out(), 'hello');
        writeFileSync(path, readFileSync(path, 'utf8').replace(/"options": "[0-9a-f]/, '"options": "x'));
      },
      'built with other esbuild options or version',
    ],
  ])('bundles again when %s', (_what, change, reason) => {
    // Arrange
    change();

    // Act
    const result = synth();

    // Assert
    expect(cachedBundle(root, 'hello', entry('hello'))).toEqual({ stale: reason });
    expect(result.from).toBe('esbuild');
  });

  it('bundles again, without failing, when the manifest is not JSON', () => {
    // Arrange
    writeFileSync(manifestFile(out(), 'hello'), '{ half a manifest');

    // Act
    const result = synth();

    // Assert
    expect(cachedBundle(root, 'hello', entry('hello'))).toMatchObject({
      stale: /^no readable hello\.build\.json/,
    });
    expect(result.from).toBe('esbuild');
  });

  it('writes no manifest for a bundle whose input was edited while esbuild ran', async () => {
    // Arrange: a modification time after the build started is what an edit during the build leaves.
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'functions/hello/handler.ts'), future, future);

    // Act
    await build();

    // Assert
    expect(existsSync(manifestFile(out(), 'hello'))).toBe(false);
    expect(existsSync(manifestFile(out(), 'bye'))).toBe(true);
    expect(synth().from).toBe('esbuild');
  });

  it('fails the synth with one line naming the fix when the project has no esbuild to bundle with', () => {
    // Arrange: the built project copied without esbuild (a new path: Node remembers resolved modules).
    const bare = join(scratch, 'bare');
    cpSync(root, bare, { recursive: true, verbatimSymlinks: true, filter: (p) => !p.endsWith('/esbuild') });
    root = bare;

    // Act
    const run = () => synth();

    // Assert
    expect(run).toThrow(
      new RegExp(
        // CDK names the asset before the reason, on the same line.
        `^Failed to bundle asset Cache/Hello/\\S+, bundle output is located at \\S+: Error: esbuild is not installed in ${join(root, 'node_modules').replaceAll('/', '\\/')}; install it \\(npm install --save-dev esbuild\\) to bundle the Lambda functions$`,
      ),
    );
  });
});
