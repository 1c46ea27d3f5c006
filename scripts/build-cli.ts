import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin, transform } from 'esbuild';
import { bundleLambdas, LAMBDA_FUNCTIONS } from '../bench/bundles.js';
import { LAMBDA_OUT_DIR } from '../infra/lambda-build.js';

/**
 * `npm run build:cli` (run by `npm install`'s prepare and by `npm pack`): the CLI precompiled into
 * `dist/cli/`, one ESM entry plus a chunk per lazily imported command group (esbuild splitting), so
 * `tollgate --help` and the read commands start without compiling TypeScript. Packages stay
 * external: they load from node_modules as they do under tsx.
 *
 * `bin/tollgate.js` runs the bundle only while it is fresh: `build-info.json` lists every source
 * file the bundle holds, and one edited since the build sends the CLI back to tsx.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = resolve(ROOT, 'dist/cli');
const BUILD_INFO = 'build-info.json';
const EXTERNAL = [
  '@electric-sql/*',
  'tsx',
  'tsx/*',
  'esbuild',
  'aws-cdk-lib',
  'aws-cdk-lib/*',
  'constructs',
  'pg',
  'pg-native',
];

/**
 * Source code finds its files next to itself (`new URL('../../statemachines/pipeline.asl.json',
 * import.meta.url)`, the config child, the console UI, the git hook's bin). Bundled, every module
 * would share the chunk's URL; each module's import.meta.url is rewritten to the URL its source file
 * has in this package, from the package root the banner computes (chunks sit two levels below it).
 */
const sourceUrls: Plugin = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const path = relative(ROOT, args.path);
      const text = readFileSync(args.path, 'utf8');
      if (path.startsWith('..') || path.startsWith('node_modules') || !text.includes('import.meta.url'))
        return undefined;
      // A define, not a text replace: a string that spells import.meta.url (the Lambda bundles'
      // createRequire banner in infra/) stays as it is.
      const { code } = await transform(text, {
        loader: 'ts',
        format: 'esm',
        define: { 'import.meta.url': '__tollgateModuleUrl' },
        sourcefile: args.path,
      });
      const url = `new URL(${JSON.stringify(path.split('\\').join('/'))}, __tollgatePackageRoot).href`;
      return { contents: `const __tollgateModuleUrl = ${url};\n${code}`, loader: 'js' };
    });
  },
};

/** `tollgate/config`: defineConfig and the config types, for a user's tollgate.config.ts. */
async function buildConfigApi(): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'functions/shared/config/index.ts' },
    outdir: resolve(ROOT, 'dist/config'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    banner: { js: "const __tollgatePackageRoot = new URL('../../', import.meta.url);" },
    plugins: [sourceUrls],
    logLevel: 'warning',
  });
  // The declarations of the config module and what its types reach (tsconfig.build.json).
  execFileSync(
    process.execPath,
    [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
}

/**
 * `tollgate/cdk` (the TollgatePipeline construct) and the CDK app `tollgate deploy-stack` runs,
 * with the declarations of the construct's props. aws-cdk-lib, constructs and cdk-nag stay
 * external: they are the user's (optional peer dependencies), one copy shared with their app.
 */
async function buildCdkApi(): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { index: 'infra/index.ts', app: 'infra/app.ts' },
    outdir: resolve(ROOT, 'dist/cdk'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // cdk-nag too: each rule takes its name from its module's file name (__filename).
    external: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag', 'zod', 'zod/*', 'tsx', 'tsx/*'],
    mainFields: ['module', 'main'],
    chunkNames: '[name]-[hash]',
    banner: {
      js: [
        "const __tollgatePackageRoot = new URL('../../', import.meta.url);",
        "import { createRequire as __tollgateCreateRequire } from 'node:module';",
        'const require = __tollgateCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    plugins: [sourceUrls],
    logLevel: 'warning',
  });
}

/**
 * Each Lambda function bundled as the stack deploys it (`dist/lambda/<name>/index.mjs`): an
 * installed package has neither the handlers' sources nor esbuild, so its stack deploys these, and a
 * synth in this checkout reuses each one whose `<name>.build.json` shows its inputs unchanged.
 */
async function buildLambdaBundles(): Promise<void> {
  const out = resolve(ROOT, LAMBDA_OUT_DIR);
  rmSync(out, { recursive: true, force: true });
  await bundleLambdas(LAMBDA_FUNCTIONS, out, { manifests: true });
}

/**
 * The console's script, for an installed package: a checkout bundles console/ui on first request
 * with esbuild (a dev dependency), which an installed package does not have.
 */
async function buildConsoleAssets(): Promise<void> {
  await build({
    absWorkingDir: ROOT,
    entryPoints: { app: 'console/ui/main.ts' },
    outdir: resolve(ROOT, 'dist/console'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    external: ['web-worker'],
    logLevel: 'warning',
  });
}

export async function buildCli(): Promise<string[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    // Each served volume's PGlite runs in a worker thread started from its own entry (see
    // functions/shared/adapters/local/pglite-thread-entry.ts).
    entryPoints: {
      tollgate: 'cli/tollgate.ts',
      'pglite-thread': 'functions/shared/adapters/local/pglite-thread.ts',
    },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Packages are bundled too: resolving the AWS SDK's hundreds of modules one by one took about a
    // second per command. Kept out: those that find files next to themselves (PGlite's wasm, tsx's
    // loader, esbuild's binary), the CDK (only synth uses it) and pg (an optional native require).
    external: EXTERNAL,
    // ESM builds first (the AWS SDK has both): a split-off CommonJS module reached by a dynamic
    // import() would only have a default export, so `(await import(sdk)).S3Client` were undefined.
    mainFields: ['module', 'main'],
    chunkNames: '[name]-[hash]',
    banner: {
      js: [
        "const __tollgatePackageRoot = new URL('../../', import.meta.url);",
        // CommonJS packages inside the ESM bundle still call require() for Node's built-ins.
        "import { createRequire as __tollgateCreateRequire } from 'node:module';",
        'const require = __tollgateCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    plugins: [sourceUrls],
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.includes('node_modules/'));
  // Written last: its mtime is the build's time, which bin/tollgate.js compares the inputs with.
  writeFileSync(resolve(OUT_DIR, BUILD_INFO), `${JSON.stringify({ inputs }, null, 1)}\n`);
  return inputs;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildConfigApi();
  await buildConsoleAssets();
  await buildCdkApi();
  await buildLambdaBundles();
  // The CLI last: its build-info.json's time is what freshness is judged by, and a source edited
  // during the slower steps before it (declarations, Lambda bundles) must not make a build stale at birth.
  const inputs = await buildCli();
  console.log(
    `dist/cli: ${inputs.length} source files bundled; dist/config, dist/console, dist/cdk and dist/lambda built`,
  );
}
