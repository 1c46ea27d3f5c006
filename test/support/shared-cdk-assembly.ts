import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../infra/repo-paths.js';

/**
 * One `npx cdk synth` (half a minute on a busy 2-core machine when it reuses the Lambda bundles
 * `npm run build` made just before, as `npm test` does; two minutes when it bundles all of them)
 * shared by the tests that need a synthesized stack: the cdk-synth test asserts on it and the
 * rehearsal deploys it (REHEARSAL_CDK_OUT). Both vitest workers may ask at once; the first
 * synthesizes under a lock and the other waits for it. The assembly is keyed by a hash of every
 * source the synth reads and by this vitest run (see testRunId), so a run never passes on an
 * assembly an earlier run made. dist/lambda is not in the key: a bundle reused from it is byte for
 * byte the one esbuild would make (infra/lambda-build.ts).
 */
const AWS_EXAMPLE_CONFIG = 'examples/orders-service/aws/tollgate.config.ts';
const INPUT_DIRS = ['infra', 'functions', 'statemachines', 'examples/orders-service/aws'];
const INPUT_FILES = ['package-lock.json', 'cdk.json', 'tsconfig.json'];
const SYNTH_TIMEOUT_MS = 540_000;
const LOCK_WAIT_MS = 600_000;

interface SharedAssembly {
  /** The cloud assembly directory (`Tollgate.template.json`, `asset.*`, `manifest.json`). */
  readonly outdir: string;
  /** The synth's exit status; 0 when a cached assembly was reused. */
  readonly status: number | null;
  readonly stderr: string;
}

/** A child environment with no AWS credentials, profile or region: synth must not need any. */
function offlineEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')),
  );
  return {
    ...env,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
}

/**
 * This vitest run: the main process's pid, which vitest.config.ts passes to every worker. Not
 * `process.ppid`: a worker thread's parent is the process above vitest, a fork's is vitest, so the
 * shared-thread cdk-synth test and the forked rehearsal each synthesized the stack once.
 */
function testRunId(): string {
  return process.env.TOLLGATE_TEST_RUN ?? String(process.ppid);
}

/** The AWS example's assembly for this vitest run, synthesized by whichever test asks first. */
export async function sharedAssembly(): Promise<SharedAssembly> {
  const outdir = join(tmpdir(), `tollgate-cdk-assembly-${testRunId()}-${inputsHash()}`);
  const done = join(outdir, '.complete');
  const lock = `${outdir}.lock`;
  const waitUntil = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (existsSync(done)) return { outdir, status: 0, stderr: '' };
    if (takeLock(lock)) break;
    if (Date.now() > waitUntil) throw new Error(`${lock} held for ${LOCK_WAIT_MS / 1000} s; delete it`);
    // Another worker is synthesizing: wait for its marker (or for its lock to go, if it failed).
    await new Promise((r) => setTimeout(r, 500));
  }
  try {
    if (existsSync(done)) return { outdir, status: 0, stderr: '' };
    const staging = `${outdir}.tmp`;
    rmSync(staging, { recursive: true, force: true });
    const result = await run(
      'npx',
      ['cdk', 'synth', '--quiet', '-c', `config=${AWS_EXAMPLE_CONFIG}`, '--output', staging],
      SYNTH_TIMEOUT_MS,
    );
    if (result.status !== 0) return { outdir: staging, ...result };
    rmSync(outdir, { recursive: true, force: true });
    renameSync(staging, outdir);
    writeFileSync(done, '');
    return { outdir, ...result };
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** mkdir is atomic: exactly one caller creates the lock; a lock whose holder died is taken over. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number(readFileSafe(join(lock, 'pid')));
    if (holder > 0 && !alive(holder)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function inputsHash(): string {
  const hash = createHash('sha256');
  const files = [
    ...INPUT_DIRS.flatMap((dir) => listFiles(join(REPO_ROOT, dir))),
    ...INPUT_FILES.map((f) => join(REPO_ROOT, f)),
  ].sort();
  for (const file of files) {
    hash.update(relative(REPO_ROOT, file)).update('\0');
    hash.update(readFileSafe(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && !/(^|[/\\])(node_modules|dist|cdk\.out)([/\\]|$)/.test(d.parentPath))
    .map((d) => join(d.parentPath, d.name));
}

/**
 * Runs the CLI without blocking the worker: a spawnSync of a minutes-long synth starves vitest's
 * worker RPC, which then reports a timeout even though the test passed.
 */
function run(command: string, args: string[], timeoutMs: number) {
  return new Promise<{ status: number | null; stderr: string }>((done) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: offlineEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group, so a timeout ends cdk and the app it runs, not only npx.
      detached: true,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => process.kill(-(child.pid as number), 'SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stderr });
    });
  });
}
