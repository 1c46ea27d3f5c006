import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CliError } from '../../../cli/client/cli-error.js';

/**
 * Support for the CLI end-to-end tests: a real example repository, a real `tollgate up` child
 * process on free ports with its own data directory, and the real CLI run as child processes.
 */
const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/tollgate.js');
const EXAMPLE = join(ROOT, 'examples/orders-service');

import { freePort } from '../../support/free-port.js';

export { freePort };

export interface TestRepo {
  readonly dir: string;
  readonly ports: Record<string, number>;
  commit(message: string, files?: Record<string, string>): string;
}

/** The example app in a fresh git repository, with test and prod on free ports and prod gated. */
export async function createTestRepo(approvers: string[] = ['ana', 'Dev']): Promise<TestRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-repo-'));
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|node_modules)([/\\]|$)/.test(src.slice(EXAMPLE.length)),
  });
  const ports = { test: await freePort(), prod: await freePort() };
  writeFileSync(
    join(dir, 'tollgate.config.ts'),
    `export default ${JSON.stringify(
      {
        name: 'orders-service',
        source: { repository: 'orders-service', branches: ['main'] },
        build: { command: 'node scripts/build.mjs', artifact: 'dist/release.tgz' },
        environments: [
          {
            name: 'test',
            deploy: { type: 'process', command: 'node src/server.mjs', port: ports.test },
            pollInterval: '1s',
          },
          {
            name: 'prod',
            deploy: { type: 'process', command: 'node src/server.mjs', port: ports.prod },
            pollInterval: '1s',
            approval: { approvers, timeout: '1h' },
          },
        ],
        smokeTests: [
          { name: 'version', path: '/version', expectStatus: 200, expectBody: '"digest":"sha256:' },
        ],
      },
      null,
      2,
    )};\n`,
  );
  writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Dev');
  git('config', 'user.email', 'dev@example.test');
  git('config', 'commit.gpgsign', 'false');
  const commit = (message: string, files: Record<string, string> = {}) => {
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  commit('Initial import');
  return { dir, ports, commit };
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `tollgate …` as a child process. */
export function cli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** A stage as `tollgate show --json` prints it (docs/cli.md). */
export interface ShownStage {
  readonly environment: string | null;
  readonly stage: string;
  readonly status: string;
}

// biome-ignore lint/suspicious/noExplicitAny: tests read the documented JSON schemas field by field
export async function cliJson<T = any>(args: string[], options?: Parameters<typeof cli>[1]): Promise<T> {
  const result = await cli([...args, '--json'], options);
  if (result.code !== 0)
    throw new Error(`tollgate ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface RunningUp {
  readonly child: ChildProcess;
  readonly endpoint: string;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<number | null>;
  /** kill -9, as a crash. */
  crash(): Promise<void>;
}

/** Starts `tollgate up` and resolves once it prints where it listens. */
export function startUp(
  dataDir: string,
  repo: string,
  port: number,
  startTimeoutMs?: number,
): Promise<RunningUp> {
  return spawnUp(['--data-dir', dataDir, '--repo', repo, '--port', String(port)], startTimeoutMs);
}

/**
 * Starts `tollgate up <args>` (e.g. `--demo`) and resolves once it prints where it listens. A child
 * that does not come up in time is killed, so no runtime outlives its test.
 */
export async function spawnUp(args: string[], startTimeoutMs = 120_000): Promise<RunningUp> {
  const child = spawn(process.execPath, [BIN, 'up', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate up did not start in ${startTimeoutMs / 1000} s:\n${out}`));
    }, startTimeoutMs);
    const check = () => {
      const match = /Tollgate is up on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`tollgate up exited:\n${out}`));
    });
  });
  return {
    child,
    endpoint,
    output: () => out,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    crash: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The current test's `tollgate up` and data directory, cleaned up by `upPerTest`. */
export interface UpSession {
  up?: RunningUp;
  dataDir?: string;
}

/**
 * Registers the clean-up every `tollgate up` test needs after each test: stop the runtime, stop
 * the apps it deployed (they outlive it by design) and remove the data directory.
 */
export function upPerTest(): UpSession {
  const session: UpSession = {};
  afterEach(async () => {
    await session.up?.stop();
    if (session.dataDir) killApps(session.dataDir);
    removeDir(session.dataDir);
    session.up = undefined;
    session.dataDir = undefined;
  });
  return session;
}

/**
 * Polls with real waits (child processes and sockets are real here), 100 ms at first and doubling
 * to `maxDelayMs` (1 s): a probe that is a child process (a CLI command, ~0.5 s of CPU) probed every
 * 250 ms through a whole run took a core from the runtime it waits on (cli-redeploy: 34 s of CPU,
 * 28 s at 1 s). Cheap in-process probes (untilShown) poll up to every 250 ms.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 45_000,
  maxDelayMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, maxDelayMs)) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** What a wait needs of `tollgate show --json`: the run's status and its listed stages. */
export interface ShownProgress {
  readonly run: { readonly status: string };
  readonly stages: readonly ShownStage[];
}

/**
 * The run's status and stages as `tollgate show` folds them, read in this process through the
 * CLI's own client code (the local runtime's signed API, no SDK): a probe costs milliseconds
 * where a `tollgate show` child process costs about half a second of CPU.
 */
async function runProgress(run: string, dataDir: string): Promise<ShownProgress> {
  try {
    return await readProgress(run, dataDir);
  } catch (error) {
    // This long-lived process keeps its sockets alive between probes (a CLI process never lives
    // long enough to): one the runtime closed meanwhile fails its next request. A second try opens a
    // new connection; a runtime that is really gone fails it too, as `tollgate show` would.
    const { ExitCode } = await import('../../../cli/client/cli-error.js');
    if ((error as CliError).exitCode !== ExitCode.Unreachable) throw error;
    await new Promise((r) => setTimeout(r, 200));
    return readProgress(run, dataDir);
  }
}

async function readProgress(run: string, dataDir: string): Promise<ShownProgress> {
  // Loaded on the first probe: most files that use this harness never wait on a run.
  const [{ createTarget }, { executionHistory, findRun }, { RunFold }, { listedStages }] = await Promise.all([
    import('../../../cli/client/cli-context.js'),
    import('../../../cli/client/pipeline-api.js'),
    import('../../../model/run-fold.js'),
    import('../../../model/run-timeline.js'),
  ]);
  const target = createTarget({ dataDir });
  const described = await findRun(target, run);
  const events = await executionHistory(target, described.executionArn!);
  const running = described.status === 'RUNNING';
  const timeline = RunFold.timeline(events, { now: Date.now(), running });
  return {
    run: { status: described.status ?? timeline.execution.status },
    stages: listedStages(timeline).map((s) => ({
      environment: s.environment,
      stage: s.stage,
      status: s.status,
    })),
  };
}

/**
 * Waits until `done` holds for the run, probing in-process (runProgress, every 250 ms at most),
 * then returns the real `tollgate show --json` output, for which `done` must hold too: the tests
 * still assert on what the CLI prints, and run it once per wait instead of once per probe.
 */
// biome-ignore lint/suspicious/noExplicitAny: tests read the documented JSON schema field by field
export function untilShown<T extends ShownProgress = any>(
  what: string,
  run: string,
  dataDir: string,
  done: (shown: ShownProgress) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  return waitFor(
    what,
    async () => {
      if (!done(await runProgress(run, dataDir))) return undefined;
      const shown = await cliJson<T>(['show', run, '--data-dir', dataDir]);
      return done(shown) ? shown : undefined;
    },
    timeoutMs,
    250,
  );
}

/** The run ended (any status but RUNNING). */
export const ended = (shown: ShownProgress) => shown.run.status !== 'RUNNING';

/** The run waits at `environment`'s approval gate. */
export const atGate = (environment: string) => (shown: ShownProgress) =>
  shown.stages.some((s) => s.environment === environment && s.stage === 'approval' && s.status === 'waiting');

/** Stops the apps the deployer left running (they outlive `tollgate up` by design). */
export function killApps(dataDir: string): void {
  const envs = join(dataDir, 'envs');
  if (!existsSync(envs)) return;
  for (const env of readdirSync(envs)) {
    const state = join(envs, env, 'state.json');
    if (!existsSync(state)) continue;
    const pid = (JSON.parse(readFileSync(state, 'utf8')) as { active?: { pid?: number } }).active?.pid;
    if (!pid) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
