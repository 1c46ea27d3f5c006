import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type WaitingClock } from '../../functions/shared/clock.js';
import { parseConfig } from '../../functions/shared/config/index.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { FakeEngineClock, SystemEngineClock } from '../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../runtime/engine/engine.js';
import { createFunctionRunner, type FunctionRunner } from '../../runtime/function-runner/function-runner.js';
import { localSubstitutions } from '../../runtime/function-runner/local-substitutions.js';
import { watchRunEnds } from '../../runtime/function-runner/run-end-watcher.js';
import { MemoryStore } from '../../runtime/store/memory-store.js';
import { substitute } from '../../statemachines/placeholders.js';
import { createGitRepo } from './git-repo.js';

const root = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(root, 'examples/orders-service');

import { freePort } from './free-port.js';

export { freePort };

export interface LocalPipelineOptions {
  /** Keep the example's databases (PGlite volumes, refresh, migrations, checks). @default false */
  readonly database?: boolean;
  /** Keep the example's approval gate on prod. @default false */
  readonly approval?: boolean;
  /** A mode, or the whole `concurrency` block of the config. */
  readonly concurrency?: 'queued' | 'superseded' | Readonly<Record<string, unknown>>;
  /** Replaces the approval timeout of the example's gate (with `approval`). */
  readonly approvalTimeout?: string;
  /** Run Wait states in real time (the scenario bench); tests keep the fake clock. @default false */
  readonly realClock?: boolean;
  /** Replaces the example's `build` settings (e.g. a build that hangs, a short timeout). */
  readonly build?: { readonly command?: string; readonly timeout?: string };
  /** prod's `strategy` (a canary, for the canary bench). @default all at once */
  readonly prodStrategy?: Readonly<Record<string, unknown>>;
  /** prod's `verify` window (post-deployment checks after promote). @default none */
  readonly prodVerify?: Readonly<Record<string, unknown>>;
  /** `database.breaking` (with `database`): migrations the previous release cannot run on. */
  readonly breaking?: readonly string[];
  /** Keeps only these of the example's environments, in its order (a test that needs no staging). @default all */
  readonly environments?: readonly string[];
  /** Changes the example's `database` block (with `database`): a migrate command, more checks. */
  readonly databaseChange?: (database: Record<string, any>) => Record<string, any>;
}

/** The example's config with every app and database on a free port and a 1s poll interval. */
async function exampleConfig(options: LocalPipelineOptions): Promise<TollgateConfig> {
  const mod = (await import(join(EXAMPLE, 'tollgate.config.ts'))) as { default: Record<string, unknown> };
  const raw = structuredClone(mod.default) as Record<string, any>;
  if (options.environments) {
    const keep = new Set(options.environments);
    raw.environments = (raw.environments as Array<{ name: string }>).filter((e) => keep.has(e.name));
  }
  for (const env of raw.environments as Array<Record<string, any>>) {
    env.deploy = { ...env.deploy, port: await freePort() };
    env.pollInterval = '1s';
    if (options.database) env.database = { ...env.database, port: await freePort() };
    else delete env.database;
    if (!options.approval) delete env.approval;
    if (options.prodVerify && env.name === 'prod') env.verify = options.prodVerify;
    if (options.prodStrategy && env.name === 'prod') env.strategy = options.prodStrategy;
    else if (env.approval && options.approvalTimeout) env.approval.timeout = options.approvalTimeout;
  }
  if (!options.database) delete raw.database;
  else if (options.breaking) raw.database = { ...raw.database, breaking: [...options.breaking] };
  if (options.database && options.databaseChange) raw.database = options.databaseChange(raw.database);
  if (options.concurrency) raw.concurrency = options.concurrency;
  if (options.build) raw.build = { ...raw.build, ...options.build };
  return parseConfig(raw);
}

export interface LocalPipeline {
  readonly engine: Engine;
  readonly clock: FakeEngineClock;
  readonly runner: FunctionRunner;
  readonly config: TollgateConfig;
  readonly repo: ReturnType<typeof createGitRepo>;
  readonly stateMachineArn: string;
  readonly dataDir: string;
  call<T = any>(op: string, body: unknown): Promise<T>;
  /** Emits the tollgate.git commit event for a commit and starts a run. */
  start(commit: string, name?: string): Promise<string>;
  /** Runs the execution to its end, skipping time only while it sits in a Wait state. */
  finish(executionArn: string): Promise<{ status: string; output?: any; error?: string; cause?: string }>;
  /** Arms `build.timeout`; move it to time a build out. */
  readonly buildTimers: FakeEngineClock;
  /** The runtime's reaction to runs that end; `settled()` waits until it has released their locks. */
  readonly runEnds: { settled(): Promise<void> };
  close(): Promise<void>;
}

/**
 * The real engine, the real function runner, the real local adapters and the example app in a
 * real git repository. Time is a fake engine clock that jumps only over Wait states, so polls and
 * lock waits take no real time while processes and sockets run for real.
 */
export async function createLocalPipeline(options: LocalPipelineOptions = {}): Promise<LocalPipeline> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-pipeline-'));
  const repoDir = mkdtempSync(join(tmpdir(), 'tollgate-example-'));
  cpSync(EXAMPLE, repoDir, {
    recursive: true,
    filter: (src) => !src.includes(`${'/'}dist`) && !src.includes('node_modules'),
  });
  const repo = createGitRepo({});
  cpSync(repoDir, repo.dir, { recursive: true });
  rmSync(repoDir, { recursive: true, force: true });
  repo.commit('initial');
  const config = await exampleConfig(options);
  const clock = options.realClock ? new SystemEngineClock() : new FakeEngineClock(Date.now());
  // Build timeouts on a clock of their own: tests that jump the engine's clock to its next timer
  // (to skip a Wait) must not kill a build that is running for real.
  const buildTimers = options.realClock ? clock : new FakeEngineClock(clock.now());
  const fnClock: WaitingClock = {
    now: () => new Date(clock.now()),
    // Under the fake clock a backoff wait only yields, so lock retries interleave at no real cost.
    sleep: options.realClock ? systemClock.sleep : () => new Promise((r) => setImmediate(r)),
  };
  const runner = createFunctionRunner({
    dataDir,
    config,
    clock: fnClock,
    notifier: { notify: async () => undefined },
    repositories: { [config.source.repository]: repo.dir },
    engine: () => engine.service,
    timers: buildTimers,
    // The fake clock skips Waits, so polls need no hold; with one, a run would end in no clock time.
    ...(options.realClock ? {} : { pollHoldMs: 0 }),
  });
  const engine = createEngine({
    store: new MemoryStore(),
    clock,
    lambda: runner.invoker,
    accountId: '000000000000',
  });
  const runEnds = watchRunEnds(engine, runner, (error, arn) => {
    throw new Error(`releasing the lock of ${arn} failed: ${error.message}`);
  });
  await engine.start();
  if (options.database) await runner.openVolumes();
  const call = (op: string, body: unknown) => engine.service.dispatch(op, body) as Promise<any>;
  const asl = substitute(
    readFileSync(join(root, 'statemachines/pipeline.asl.json'), 'utf8'),
    localSubstitutions(),
  );
  const { stateMachineArn } = await call('CreateStateMachine', {
    name: 'tollgate-pipeline',
    definition: asl,
    roleArn: 'arn:aws:iam::000000000000:role/tollgate',
    type: 'STANDARD',
  });
  const git = (args: string[]) => execFileSync('git', args, { cwd: repo.dir, encoding: 'utf8' }).trim();
  return {
    engine,
    // With realClock the bench never moves time by hand; tests always get the fake clock.
    clock: clock as FakeEngineClock,
    runner,
    config,
    repo,
    stateMachineArn,
    dataDir,
    call,
    async start(commit, name) {
      // One git call for the four fields (a synchronous spawn each blocks the engine's event loop).
      const [authorName, authorEmail, message, timestamp] = git([
        'log',
        '-1',
        '--format=%an%x00%ae%x00%s%x00%cI',
        commit,
      ]).split('\0');
      const event = {
        version: '0',
        id: `evt-${commit.slice(0, 8)}`,
        source: 'tollgate.git',
        'detail-type': 'Commit Pushed',
        time: new Date(clock.now()).toISOString(),
        detail: {
          repository: config.source.repository,
          branch: 'main',
          commit,
          parents: [],
          author: { name: authorName, email: authorEmail },
          message,
          timestamp,
        },
      };
      const { executionArn } = await call('StartExecution', {
        stateMachineArn,
        name: name ?? `run-${commit.slice(0, 12)}`,
        input: JSON.stringify(event),
      });
      return executionArn;
    },
    async finish(executionArn) {
      for (let i = 0; i < 6000; i++) {
        const d = await call('DescribeExecution', { executionArn });
        if (d.status !== 'RUNNING') {
          return {
            status: d.status,
            ...(d.output ? { output: JSON.parse(d.output) } : {}),
            ...(d.error ? { error: d.error, cause: d.cause } : {}),
          };
        }
        const history = await call('GetExecutionHistory', {
          executionArn,
          reverseOrder: true,
          maxResults: 1,
        });
        const last = history.events[0]?.type;
        const next = clock instanceof FakeEngineClock ? clock.nextTimerAt() : undefined;
        // Only jump to a Wait state's own timer, never to far-off ones such as the execution timeout.
        if (last === 'WaitStateEntered' && next !== undefined && next - clock.now() <= 3_600_000) {
          (clock as FakeEngineClock).advanceTo(next);
        } else await new Promise((r) => setTimeout(r, 20)); // real I/O (processes, sockets) in flight
      }
      throw new Error(`execution ${executionArn} did not finish`);
    },
    runEnds,
    buildTimers: buildTimers as FakeEngineClock,
    async close() {
      runEnds.stop();
      await runEnds.settled();
      await engine.close();
      await runner.close({ keepApps: false });
      // Each pipeline's data directory holds its volumes and snapshots (about 235 MB): CI machines
      // kept every one of them in the temp dir.
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(repo.dir, { recursive: true, force: true });
    },
  };
}
