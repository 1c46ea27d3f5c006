import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { database } from '../../examples/orders-service/database.config.js';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import {
  localDatabaseUrl,
  readDatabasePassword,
} from '../../functions/shared/adapters/local/database-password.js';
import { systemClock } from '../../functions/shared/clock.js';
import { servedRelease } from '../support/pipeline-scenario.js';
import { atGate, cliJson, ended, freePort, type ShownProgress, untilShown } from '../unit/cli/e2e-harness.js';

/**
 * Support for the scenario tests: the example app in a fresh git repository with a config shaped
 * per scenario (free ports, so test files run side by side), and the scenario's commits applied by
 * the real `run-scenario.mjs` a person would use on the demo repository.
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const EXAMPLE = join(ROOT, 'examples/orders-service');
const SCENARIOS = join(EXAMPLE, 'scenarios');
const APPROVER = 'ana';

export interface ScenarioEnvironment {
  readonly name: string;
  readonly approval?: boolean;
  /** `refresh`: cloned from prod and masked before each test; `source`: prod's own volume. */
  readonly database?: 'refresh' | 'source';
  /** `environments[].strategy` as written in the config (a canary, for scenario g). */
  readonly strategy?: unknown;
  /** `environments[].tests` and `.verify` as written in the config (test stages). */
  readonly tests?: unknown;
  readonly verify?: unknown;
}

export interface ScenarioRepo {
  readonly dir: string;
  readonly ports: Record<string, number>;
  readonly databasePorts: Record<string, number>;
}

export async function createScenarioRepo(
  environments: readonly ScenarioEnvironment[],
  concurrency: unknown = 'queued',
  /** Smoke tests after the example's own two (e.g. one that reads the database). */
  extraSmokeTests: readonly unknown[] = [],
): Promise<ScenarioRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-scenario-repo-'));
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|node_modules|scenarios)([/\\]|$)/.test(src.slice(EXAMPLE.length)),
  });
  const ports: Record<string, number> = {};
  const databasePorts: Record<string, number> = {};
  const envs = [];
  for (const env of environments) {
    ports[env.name] = await freePort();
    if (env.database) databasePorts[env.name] = await freePort();
    envs.push({
      name: env.name,
      deploy: {
        type: 'process',
        command: 'node src/server.mjs',
        port: ports[env.name],
        healthPath: '/health',
      },
      pollInterval: '1s',
      ...(env.database
        ? { database: { refresh: env.database === 'refresh', port: databasePorts[env.name] } }
        : {}),
      ...(env.approval ? { approval: { approvers: [APPROVER], timeout: '1h' } } : {}),
      ...(env.strategy ? { strategy: env.strategy } : {}),
      ...(env.tests ? { tests: env.tests } : {}),
      ...(env.verify ? { verify: env.verify } : {}),
    });
  }
  const config = {
    name: 'orders-service',
    source: { repository: 'orders-service', branches: ['main'] },
    build: { command: 'node scripts/build.mjs', artifact: 'dist/release.tgz' },
    ...(Object.keys(databasePorts).length ? { database } : {}),
    environments: envs,
    // The example's own smoke tests, so a degraded /health is caught exactly as on the demo.
    smokeTests: [
      { name: 'health', path: '/health', expectStatus: 200, expectBody: '"ok"', timeout: '5s', retries: 2 },
      { name: 'version', path: '/version', expectStatus: 200, expectBody: '"digest":"sha256:' },
      ...extraSmokeTests,
    ],
    concurrency,
  };
  writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(config, null, 2)};\n`);
  writeFileSync(join(dir, '.gitignore'), 'dist/\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'Tollgate Demo');
  git('config', 'user.email', 'demo@tollgate.invalid');
  git('config', 'commit.gpgsign', 'false');
  git('add', '-A');
  git('commit', '-q', '-m', 'Initial import of orders-service');
  return { dir, ports, databasePorts };
}

/** Reads the database: the smoke test that shows whether a release can run on a schema. */
export const RECENT_ORDERS_SMOKE_TEST = { name: 'recent-orders', path: '/orders/recent', expectStatus: 200 };

interface ScenarioStep {
  readonly approve?: string;
  readonly reject?: string;
  readonly as?: string;
  readonly reason?: string;
  readonly comment?: string;
}
interface ScenarioExpectation {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  readonly failed?: { environment: string; stage: string; error: string };
  readonly served?: Record<string, 'this' | 'previous'>;
  readonly rolledBack?: string[];
  readonly unchanged?: string[];
  readonly reason?: string;
}
interface ScenarioCommit {
  readonly id: string;
  readonly author: { name: string; email: string };
  readonly message: string;
  readonly next: ScenarioStep[];
  readonly expect: ScenarioExpectation;
}
export interface Scenario {
  readonly scenario: string;
  readonly concurrency: 'queued' | 'superseded';
  readonly test: string;
  readonly commits: ScenarioCommit[];
}

export function loadScenario(name: string): Scenario {
  return JSON.parse(readFileSync(join(SCENARIOS, name, 'scenario.json'), 'utf8')) as Scenario;
}

/** Applies one of the scenario's commits with the real runner; returns its sha. */
export async function applyCommit(scenario: Scenario, id: string, repo: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(SCENARIOS, 'run-scenario.mjs'), scenario.scenario, '--repo', repo, '--only', id, '--json'],
    { encoding: 'utf8' },
  );
  return (JSON.parse(stdout) as { commits: Array<{ commit: string }> }).commits[0]!.commit;
}

/** Migrates the source volume to the current release's schema and seeds it, as `up --demo` does. */
/** The URL `tollgate db url` prints: the environment's port and the password the runtime generated. */
function databaseUrl(repo: ScenarioRepo, environment: string, dataDir: string): string {
  const password = readDatabasePassword(dataDir, environment);
  return localDatabaseUrl('127.0.0.1', repo.databasePorts[environment]!, password);
}

export async function seedSource(repo: ScenarioRepo, environment: string, dataDir: string): Promise<number> {
  const connectionString = databaseUrl(repo, environment, dataDir);
  await migrateDatabase(
    { connectionString, migrations: loadMigrationsFromDir(join(repo.dir, 'migrations')) },
    { clock: systemClock },
  );
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    // Small, but enough customers that some share an address in different case.
    return (await seedProd(client, { customers: 300, orders: 1_500, seed: 42 })).sharedEmailCustomers;
  } finally {
    await client.end();
  }
}

/** A fingerprint of every row, so "unchanged" means the same data, not just the same counts. */
export async function fingerprint(repo: ScenarioRepo, environment: string, dataDir: string): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl(repo, environment, dataDir) });
  await client.connect();
  try {
    const { rows } = await client.query<{ f: string }>(
      `SELECT (SELECT md5(string_agg(c::text, '|' ORDER BY id)) FROM customers c) || ':' ||
              (SELECT md5(string_agg(o::text, '|' ORDER BY id)) FROM orders o) ||
              ':' || (SELECT count(*) FROM tollgate_migrations)::text AS f`,
    );
    return rows[0]!.f;
  } finally {
    await client.end();
  }
}

export interface Shown {
  // biome-ignore lint/suspicious/noExplicitAny: the documented `show --json` schema, read field by field
  readonly run: any;
  readonly stages: Array<{
    environment: string | null;
    stage: string;
    status: string;
    error: string | null;
    cause: string | null;
    /** The stage's last task result (docs/cli.md). */
    evidence: unknown;
  }>;
  readonly approvals: Array<{ environment: string; actor: string; outcome: string; reason: string | null }>;
}

export const show = (run: string, dd: string[]) => cliJson<Shown>(['show', run, ...dd]);

/** Waits until the run waits at `environment`'s approval gate. */
export function untilGate(run: string, environment: string, dd: string[], timeoutMs = 60_000) {
  const gate = atGate(environment);
  return untilShown<Shown>(
    `${run} at the ${environment} gate`,
    run,
    dataDirOf(dd),
    (shown) => {
      if (shown.run.status !== 'RUNNING') throw new Error(`${run} ended ${shown.run.status} before the gate`);
      return gate(shown);
    },
    timeoutMs,
  );
}

export async function untilFinished(run: string, dd: string[], timeoutMs = 60_000) {
  let last: ShownProgress | undefined;
  try {
    return await untilShown<Shown>(
      `${run} to finish`,
      run,
      dataDirOf(dd),
      (shown) => {
        last = shown;
        return ended(shown);
      },
      timeoutMs,
    );
  } catch (error) {
    // Name the stage it was stuck in, so a timeout says where the run was.
    const at = last?.stages.map((s) => `${s.environment ?? '-'}/${s.stage}:${s.status}`).join(' ');
    throw new Error(`${(error as Error).message}; stages: ${at}`);
  }
}

/** The data directory of a `['--data-dir', dir]` option pair. */
function dataDirOf(dd: string[]): string {
  const at = dd.indexOf('--data-dir');
  if (at < 0 || !dd[at + 1]) throw new Error(`no --data-dir in ${dd.join(' ')}`);
  return dd[at + 1]!;
}

/** The baseline every scenario starts from: the first commit released everywhere (approved). */
export async function releaseBaseline(
  repo: ScenarioRepo,
  dd: string[],
  gated: string | undefined,
): Promise<Shown> {
  const { run } = await cliJson(['push', '--repo', repo.dir, ...dd]);
  if (gated) {
    await untilGate(run, gated, dd);
    await cliJson(['approve', run, '--env', gated, '--as', APPROVER, ...dd]);
  }
  const done = await untilFinished(run, dd);
  if (done.run.status !== 'SUCCEEDED') throw new Error(`the baseline run ended ${done.run.status}`);
  return done;
}

export async function servedVersion(port: number): Promise<string> {
  return (await servedRelease(port)).version;
}

/** The ledger, read from the local ledger's file exactly as DirLedger stores it. */
export function readLedger(
  dataDir: string,
  // biome-ignore lint/suspicious/noExplicitAny: ledger entry data differs per kind; tests read it field by field
): Array<{ kind: string; executionArn?: string; environment?: string; actor?: string; data: any }> {
  return readFileSync(join(dataDir, 'ledger', 'ledger.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line));
}
