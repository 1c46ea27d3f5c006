import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freshCliBundle } from '../../bin/cli-bundle.js';
import { freePort, killApps, removeDir, waitFor } from '../unit/cli/e2e-harness.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = promisify(execFile);

/** A tiny dependency-free HTTP app, not the example: it answers /healthz and names its release. */
const APP = {
  '.gitignore': 'node_modules/\n',
  'package.json': JSON.stringify({
    name: 'greeter',
    version: '1.0.0',
    type: 'module',
    scripts: { start: 'node src/server.js' },
  }),
  'src/server.js': `import { createServer } from 'node:http';
createServer((req, res) => {
  if (req.url === '/healthz') return res.end('ok');
  res.end(\`hello from \${process.env.TOLLGATE_RELEASE_VERSION} \${process.env.TOLLGATE_RELEASE_COMMIT}\\n\`);
}).listen(Number(process.env.PORT), '127.0.0.1');
`,
};

describe('Tollgate installed from its npm pack tarball', () => {
  const dirs: string[] = [];
  let up: ChildProcess | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((r) => up!.once('exit', r));
      up.kill('SIGTERM');
      await exited;
    }
    if (dataDir) killApps(dataDir);
    for (const d of dirs) removeDir(d);
  });

  it('runs init, up and a commit in a fresh repository, and promotes the commit to prod after approve', async () => {
    // Arrange: the tarball of this checkout, a fresh git repository holding the app.
    const packDir = mkdtempSync(join(tmpdir(), 'tollgate-pack-'));
    const repo = mkdtempSync(join(tmpdir(), 'tollgate-user-repo-'));
    dirs.push(packDir, repo);
    // The build npm install's prepare made is packed as it is: rebuilding here would delete dist/cli
    // under the CLIs other tests run at the same time.
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
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.name', 'Dev');
    git('config', 'user.email', 'dev@example.test');
    git('config', 'commit.gpgsign', 'false');
    git('add', '-A');
    git('commit', '-qm', 'The greeter');
    await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
      cwd: repo,
      timeout: 300_000,
    });
    const bin = join(repo, 'node_modules/.bin/tollgate');
    const tollgate = async (...args: string[]) =>
      (await run(bin, args, { cwd: repo, timeout: 60_000 })).stdout;
    const base = await freePort();
    dataDir = join(repo, '.tollgate');

    // Act
    const init = await tollgate('init', '--base-port', String(base));
    up = spawn(bin, ['up', '--port', '0'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    up.stdout!.on('data', (c) => (out += c));
    up.stderr!.on('data', (c) => (out += c));
    await waitFor(
      'tollgate up',
      async () => (/Tollgate is up on/.test(out) ? true : undefined),
      120_000,
    ).catch((error) => Promise.reject(new Error(`${error.message}:\n${out}`)));
    await tollgate('hook', 'install');
    git('add', '-A');
    git('commit', '-qm', 'Add Tollgate');
    const head = git('rev-parse', 'HEAD');
    const waiting = await waitFor(
      'the run to wait at the prod gate',
      async () => JSON.parse(await tollgate('runs', '--status', 'waiting', '--json')).runs[0],
      240_000,
    );
    const approved = JSON.parse(await tollgate('approve', waiting.name, '--json'));
    const finished = await waitFor(
      'the run to finish',
      async () => {
        const shown = JSON.parse(await tollgate('show', waiting.name, '--json'));
        return shown.run.status === 'RUNNING' ? undefined : shown;
      },
      120_000,
    );
    const prod = await (await fetch(`http://127.0.0.1:${base + 2}/`)).text();

    // Assert
    expect(init).toContain('npx tollgate up');
    expect(readFileSync(join(repo, '.gitignore'), 'utf8')).toBe('node_modules/\n.tollgate/\ncdk.out/\n');
    expect(readdirSync(join(repo, 'node_modules/tollgate')).sort()).toEqual(
      ['README.md', 'bin', 'console', 'dist', 'functions', 'infra', 'package.json', 'statemachines'].sort(),
    );
    // Of infra/, only the test-stage driver the CodeBuild project runs: no CDK sources.
    expect(readdirSync(join(repo, 'node_modules/tollgate/infra'), { recursive: true }).sort()).toEqual([
      'test-stages',
      'test-stages/run-test-stages.mjs',
    ]);
    expect(waiting).toMatchObject({ state: 'waiting', environment: 'prod', commit: head });
    expect(approved).toBeTruthy();
    expect(finished.run.status).toBe('SUCCEEDED');
    expect(prod).toContain(head);
  }, 900_000);
});
