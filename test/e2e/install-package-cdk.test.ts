import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../bench/bundles.js';
import { freshCliBundle } from '../../bin/cli-bundle.js';
import { removeDir } from '../unit/cli/e2e-harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);
const requireHere = createRequire(import.meta.url);
/** The CDK versions this checkout is tested with: npm's cache holds them, so the install stays offline. */
const cdkPackages = ['aws-cdk', 'aws-cdk-lib', 'constructs', 'cdk-nag'].map(
  (name) => `${name}@${(requireHere(`${name}/package.json`) as { version: string }).version}`,
);

const APP = {
  '.gitignore': 'node_modules/\n',
  'package.json': JSON.stringify({
    name: 'greeter',
    version: '1.0.0',
    type: 'module',
    scripts: { start: 'node src/server.js' },
  }),
  'src/server.js': `import { createServer } from 'node:http';
createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : 'hello')).listen(Number(process.env.PORT));
`,
  // A team's own CDK app, adding the pipeline construct to its stack through the public API.
  'infra/app.ts': `import { App, Stack } from 'aws-cdk-lib';
import { TollgatePipeline, type TollgatePipelineProps } from 'tollgate/cdk';
import config from '../tollgate.config.ts';

const app = new App();
const stack = new Stack(app, 'GreeterService');
const props: TollgatePipelineProps = { config, githubWebhook: false };
new TollgatePipeline(stack, 'Pipeline', props);
app.synth();
`,
};

interface Template {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
}

function resourcesOf(template: Template, type: string) {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

/** The asset directory (under cdk.out) that each Lambda function deploys. */
function lambdaAssetDirs(template: Template, cdkOut: string): string[] {
  return resourcesOf(template, 'AWS::Lambda::Function').map((f) =>
    join(cdkOut, String(f.Metadata?.['aws:asset:path'])),
  );
}

describe('Tollgate on AWS from a repository that installed its npm pack tarball', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) removeDir(d);
  });

  it('synthesizes the stack with tollgate deploy-stack, and the TollgatePipeline construct in the repository’s own CDK app', async () => {
    // Arrange: the tarball of this checkout, installed with the CDK into a fresh repository.
    const packDir = mkdtempSync(join(tmpdir(), 'tollgate-pack-cdk-'));
    const repo = mkdtempSync(join(tmpdir(), 'tollgate-cdk-repo-'));
    dirs.push(packDir, repo);
    expect(freshCliBundle(new URL(`file://${ROOT}`)), 'dist/ is stale: run npm run build').not.toBeNull();
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], {
      cwd: ROOT,
      timeout: 300_000,
    });
    const tarball = join(packDir, readdirSync(packDir).find((f) => f.endsWith('.tgz'))!);
    for (const [name, text] of Object.entries(APP)) {
      mkdirSync(join(repo, name, '..'), { recursive: true });
      writeFileSync(join(repo, name), text);
    }
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: repo });
    const bin = join(repo, 'node_modules/.bin/tollgate');
    const tollgate = async (...args: string[]) =>
      (await run(bin, args, { cwd: repo, timeout: 300_000 })).stdout;
    await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: repo,
      timeout: 300_000,
    });
    await tollgate('init');
    const withoutCdk = await tollgate('deploy-stack', '--synth-only').catch(
      (e) => e as { stderr: string; code: number },
    );
    await run(
      'npm',
      ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', ...cdkPackages],
      {
        cwd: repo,
        timeout: 300_000,
      },
    );

    // Act
    const synth = JSON.parse(
      await tollgate('deploy-stack', '--synth-only', '--stack', 'GreeterTollgate', '--json'),
    );
    const cdk = join(repo, 'node_modules/aws-cdk/bin/cdk');
    const ownApp = `${JSON.stringify(process.execPath)} --import tsx infra/app.ts`;
    await run(process.execPath, [cdk, 'synth', '--quiet', '--app', ownApp, '--output', 'own.out'], {
      cwd: repo,
      timeout: 300_000,
    });
    // The construct's declarations type the team's app (tsc of this checkout, the repository's types).
    const typecheck = await run(
      process.execPath,
      [
        join(ROOT, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--allowImportingTsExtensions',
        '--types',
        'node',
        '--typeRoots',
        join(ROOT, 'node_modules/@types'),
        'infra/app.ts',
      ],
      { cwd: repo, timeout: 300_000 },
    ).catch((e) => e as { stdout: string; code: number });

    // Assert
    expect(withoutCdk).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('deploy-stack needs the AWS CDK in this repository: npm install'),
    });
    expect(synth).toEqual({
      stack: 'GreeterTollgate',
      template: join(repo, 'cdk.out/GreeterTollgate.template.json'),
      deployed: false,
    });
    for (const [out, file] of [
      ['cdk.out', 'GreeterTollgate.template.json'],
      ['own.out', 'GreeterService.template.json'],
    ] as const) {
      const template = JSON.parse(readFileSync(join(repo, out, file), 'utf8')) as Template;
      const machine = resourcesOf(template, 'AWS::StepFunctions::StateMachine')[0]!;
      expect(JSON.stringify(machine.Properties.DefinitionString)).toContain('RegisterRelease');
      // Every function deploys the bundle npm run build made of its handler (no sources shipped).
      const assets = lambdaAssetDirs(template, join(repo, out));
      expect(assets.length).toBeGreaterThanOrEqual(LAMBDA_FUNCTIONS.length - (out === 'own.out' ? 1 : 0));
      for (const dir of assets) expect(existsSync(join(dir, 'index.mjs')), dir).toBe(true);
    }
    expect(typecheck, 'tsc of the team’s CDK app').not.toHaveProperty('code');
    expect(existsSync(join(repo, 'node_modules/tollgate/functions/deploy/handler.ts'))).toBe(false);
  }, 900_000);
});
