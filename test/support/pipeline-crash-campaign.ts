import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import pg from 'pg';
import { localSfnCalls, type SfnCalls } from '../../cli/client/sfn-calls.js';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import {
  localDatabaseUrl,
  readDatabasePassword,
} from '../../functions/shared/adapters/local/database-password.js';
import { systemClock } from '../../functions/shared/clock.js';
import { localClientConfig } from '../../runtime/server/credentials.js';
import { freePort } from './free-port.js';

/**
 * The crash campaign: a full pipeline run (data refresh + masking in test and staging, the prod
 * approval gate, deploys) on a real `tollgate up` child process that is killed once, at a chosen
 * state, and started again on the same data directory. Shared by the crash test (a sample of kill
 * points) and `bench/reliability-crash.ts` (every state).
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/orders-service');
const ENVS = ['test', 'staging', 'prod'] as const;
// A cold `tollgate up` (tsx, PGlite, re-adopting apps) on a busy 2-core CI machine can take long.
const START_TIMEOUT_MS = 120_000;

type KillSignal = 'SIGKILL' | 'SIGTERM';

export interface KillPlan {
  /** Kill once the run has entered this many states (1-based); undefined runs without a kill. */
  readonly afterStates?: number;
  /** Kill instead while the run waits at prod's approval gate (its request sent, no decision yet). */
  readonly atGate?: boolean;
  readonly signal: KillSignal;
  /** Kill the restarted runtime again while it recovers, then start it a third time. */
  readonly duringRecovery?: boolean;
}

export interface CampaignRun {
  readonly status: string;
  /** States entered when the kill landed (undefined: no kill, the run ended first). */
  readonly killedAt?: number;
  readonly statesEntered: number;
  readonly immutableConflicts: number;
  /** Refreshed environments whose customers still hold a prod e-mail, name or phone. */
  readonly unmasked: readonly string[];
  readonly mapStarts: number;
  /** The largest peak RSS (VmHWM) of the runtime processes of this run, in KiB (0 when unreadable). */
  readonly peakRssKb: number;
  /** The execution's error and cause when it did not succeed, so a report can say why. */
  readonly failure?: string;
}

interface Project {
  readonly dir: string;
  readonly ports: Record<string, { app: number; db: number }>;
}

async function createProject(): Promise<Project> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-crash-repo-'));
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|node_modules)([/\\]|$)/.test(src.slice(EXAMPLE.length)),
  });
  const mod = (await import(join(EXAMPLE, 'tollgate.config.ts'))) as { default: Record<string, unknown> };
  const config = structuredClone(mod.default) as {
    environments: Array<{
      name: string;
      deploy: { port: number };
      database?: { port: number };
      approval?: unknown;
    }>;
  };
  const ports: Record<string, { app: number; db: number }> = {};
  for (const env of config.environments) {
    ports[env.name] = { app: await freePort(), db: await freePort() };
    env.deploy.port = ports[env.name].app;
    if (env.database) env.database.port = ports[env.name].db;
    if (env.approval) env.approval = { approvers: ['ana'], timeout: '1h' };
  }
  writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(config, null, 2)};\n`);
  writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Dev');
  git('config', 'user.email', 'dev@example.test');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'Initial import');
  return { dir, ports };
}

async function withDb<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

type Person = { id: string; email: string; name: string; phone: string | null };

/** Migrates and seeds prod (a small data set) and returns its customers as they are. */
async function seedProduction(dataDir: string, project: Project): Promise<Person[]> {
  const url = dbUrl(dataDir, project, 'prod');
  await migrateDatabase(
    { connectionString: url, migrations: loadMigrationsFromDir(join(project.dir, 'migrations')) },
    { clock: systemClock },
  );
  return withDb(url, async (client) => {
    await seedProd(client, { customers: 60, orders: 300, seed: 11 });
    return (await client.query<Person>('SELECT id::text, email, name, phone FROM customers')).rows;
  });
}

function dbUrl(dataDir: string, project: Project, env: string): string {
  return localDatabaseUrl('127.0.0.1', project.ports[env].db, readDatabasePassword(dataDir, env));
}

/** Refreshed environments where any prod customer's e-mail, name or phone is still there as it was. */
async function unmaskedEnvironments(dataDir: string, project: Project, prod: Person[]): Promise<string[]> {
  const out: string[] = [];
  const originals = new Map(prod.map((p) => [p.id, p]));
  for (const env of ENVS.filter((e) => e !== 'prod')) {
    const rows = await withDb(dbUrl(dataDir, project, env), async (c) => {
      // An environment the run never refreshed (it stopped before) has no tables yet: nothing leaked.
      const exists = await c.query("SELECT 1 FROM pg_tables WHERE tablename = 'customers'");
      if (exists.rowCount === 0) return [];
      return (await c.query<Person>('SELECT id::text, email, name, phone FROM customers')).rows;
    });
    const leaked = rows.some((r) => {
      const o = originals.get(r.id);
      return o && (o.email === r.email || o.name === r.name || (o.phone !== null && o.phone === r.phone));
    });
    if (leaked) out.push(env);
  }
  return out;
}

/** Runs one pipeline run to its end with at most one kill (plus one during recovery). */
export async function runWithKill(plan: KillPlan): Promise<CampaignRun> {
  const project = await createProject();
  const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-crash-data-'));
  const port = await freePort();
  let up: RunningUp | undefined;
  let peakRssKb = 0;
  const notePeak = () => {
    peakRssKb = Math.max(peakRssKb, peakRss(up?.child.pid));
  };
  try {
    up = await startUp(dataDir, project.dir, port, START_TIMEOUT_MS);
    const prod = await seedProduction(dataDir, project);
    execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'Release under a kill'], {
      cwd: project.dir,
    });
    const { run } = await cliJson(['push', '--repo', project.dir, '--data-dir', dataDir]);
    let client = sfn(dataDir, up.endpoint);
    const arn = await executionArn(client, run);
    let killedAt: number | undefined;
    let approved = false;
    // Every 100 ms while a kill is due (so it lands near its state), then every 500 ms: each poll
    // reads the whole history, and the runtime answering it shares the CPU with the run it polls.
    const pollMs = () =>
      killedAt === undefined && (plan.atGate || plan.afterStates !== undefined) ? 100 : 500;
    for (let i = 0; ; i++) {
      if (i > 3000) throw new Error(`run ${run} did not finish`);
      const history = await historyOf(client, arn).catch(() => undefined);
      if (!history) {
        await sleep(pollMs());
        continue;
      }
      const entered = history.filter((e) => e.type?.endsWith('StateEntered')).length;
      const described = await client.call('DescribeExecution', { executionArn: arn });
      const status = described.status ?? '';
      if (status !== 'RUNNING') {
        notePeak();
        return {
          peakRssKb,
          status,
          ...(described.error
            ? { failure: `${described.error}: ${described.cause ?? ''}`.slice(0, 400) }
            : {}),
          killedAt,
          statesEntered: entered,
          immutableConflicts: history.filter((e) => JSON.stringify(e).includes('ImmutableConflict')).length,
          unmasked: await unmaskedEnvironments(dataDir, project, prod),
          mapStarts: history.filter((e) => e.type === 'MapStateStarted').length,
        };
      }
      const waiting = history.some((e) => e.type === 'TaskSubmitted');
      const due = plan.atGate ? waiting : plan.afterStates !== undefined && entered >= plan.afterStates;
      if (killedAt === undefined && due) {
        killedAt = entered;
        notePeak();
        up = await restart(up, plan.signal, dataDir, project.dir, port);
        if (plan.duringRecovery) {
          await sleep(150);
          up = await restart(up, 'SIGKILL', dataDir, project.dir, port);
        }
        client = sfn(dataDir, up.endpoint);
        continue;
      }
      if (waiting && !approved) {
        const answer = await cliJson(['approve', run, '--as', 'ana', '--data-dir', dataDir]).catch(
          () => undefined,
        );
        approved = answer !== undefined;
      }
      await sleep(pollMs());
    }
  } finally {
    await up?.stop();
    killApps(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(project.dir, { recursive: true, force: true });
  }
}

async function restart(
  up: RunningUp,
  signal: KillSignal,
  dataDir: string,
  repo: string,
  port: number,
): Promise<RunningUp> {
  if (signal === 'SIGKILL') await up.crash();
  else await up.stop();
  return startUp(dataDir, repo, port, START_TIMEOUT_MS);
}

/**
 * The runtime's Step Functions API through the CLI's own signed-POST client: the SDK's client
 * spent seconds of CPU per run deserializing the history this polls every 100 ms.
 */
function sfn(dataDir: string, endpoint: string): SfnCalls {
  return localSfnCalls(() => localClientConfig(dataDir, endpoint));
}

async function executionArn(client: SfnCalls, name: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const machines = await client.call('ListStateMachines', {});
    for (const m of machines.stateMachines ?? []) {
      const list = await client.call('ListExecutions', { stateMachineArn: m.stateMachineArn });
      const found = list.executions?.find((e) => e.name === name);
      if (found?.executionArn) return found.executionArn;
    }
    await sleep(100);
  }
  throw new Error(`no execution named ${name}`);
}

async function historyOf(client: SfnCalls, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.call('GetExecutionHistory', { executionArn, maxResults: 1000, nextToken });
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** A process's peak resident set (VmHWM, KiB) from /proc; 0 where /proc is not there. */
function peakRss(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// The runtime and CLI as child processes. Not the e2e harness: that one registers Vitest hooks,
// and the bench runs this module outside Vitest.
const BIN = join(ROOT, 'bin/tollgate.js');

interface RunningUp {
  readonly child: ChildProcess;
  readonly endpoint: string;
  stop(): Promise<void>;
  crash(): Promise<void>;
}

function startUp(dataDir: string, repo: string, port: number, timeoutMs: number): Promise<RunningUp> {
  const child = spawn(
    process.execPath,
    [BIN, 'up', '--data-dir', dataDir, '--repo', repo, '--port', String(port)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tollgate up did not start in ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const match = /Tollgate is up on (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({ child, endpoint: match[1], stop: () => end('SIGTERM'), crash: () => end('SIGKILL') });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk) => {
      out += chunk;
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`tollgate up exited:\n${out}`));
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the CLI's documented JSON output, read field by field
function cliJson(args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, ...args, '--json'],
      { cwd: ROOT, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`tollgate ${args.join(' ')} failed: ${stderr}`));
        else resolve(JSON.parse(stdout));
      },
    );
  });
}

/** Stops the apps the deployer left running (they outlive `tollgate up` by design). */
function killApps(dataDir: string): void {
  const envs = join(dataDir, 'envs');
  if (!existsSync(envs)) return;
  for (const env of readdirSync(envs)) {
    const state = join(envs, env, 'state.json');
    if (!existsSync(state)) continue;
    const pid = (JSON.parse(readFileSync(state, 'utf8')) as { active?: { pid?: number } }).active?.pid;
    for (const target of pid ? [-pid, pid] : []) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
