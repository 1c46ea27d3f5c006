import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { seedProd } from '../../examples/orders-service/seed/seed-prod.mjs';
import { createHandler as createApproveHandler } from '../../functions/approve/handler.js';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../functions/shared/clock.js';
import { executionArnOf, runName } from '../../model/run-name.js';
import type { LocalRuntime } from '../local-runtime.js';
import { installPostCommitHook } from './git-hook.js';

/**
 * `tollgate up --demo`: the example app as a real git repository under `<dataDir>/demo/`, prod
 * seeded with its customer data, the first release deployed everywhere by one bootstrap run of the
 * real pipeline (its approvals granted automatically, by the demo user, because there is nothing to
 * judge yet), the commit hook installed, and one demo commit whose run the user watches and
 * approves. Every step checks what exists first, so a second start reuses it.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/orders-service');
const STATE_FILE = 'demo-state.json';
const BOOTSTRAP_AUTHOR = { name: 'Tollgate Demo', email: 'demo@tollgate.invalid' };
const DEMO_AUTHOR = { name: 'Dana Developer', email: 'dana@orders.example' };
const DEMO_NOTES = '# Release notes\n\n- The first release Tollgate walks from commit to prod.\n';
/** Small enough to start in seconds, large enough to hold the case-duplicate e-mails. */
const SEED = { customers: 1_000, orders: 10_000, seed: 42 };
const POLL_MS = 500;

interface DemoState {
  bootstrapRun?: string;
  bootstrapped?: boolean;
  demoCommit?: string;
}

export function demoUser(): string {
  return process.env.TOLLGATE_USER || userInfo().username;
}

/** Creates (or finds) the demo repository; returns its directory. Runs before the runtime starts. */
export async function prepareDemoRepository(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'demo');
  if (existsSync(join(dir, '.git'))) return dir;
  cpSync(EXAMPLE, dir, {
    recursive: true,
    filter: (src) => !/[/\\](dist|node_modules)([/\\]|$)/.test(src.slice(EXAMPLE.length)),
  });
  // The example imports Tollgate by a path relative to this checkout; the copy lives elsewhere.
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8').replaceAll(
      /(['"])\.\.\/\.\.\/functions\//g,
      `$1${join(ROOT, 'functions')}/`,
    );
    writeFileSync(path, text.replaceAll(/(\/functions\/[^'"]*?)\.js(['"])/g, '$1.ts$2'));
  }
  renameSync(join(dir, 'tollgate.config.ts'), join(dir, 'tollgate.example.ts'));
  writeFileSync(join(dir, 'tollgate.config.ts'), demoConfig(demoUser()));
  writeFileSync(join(dir, '.gitignore'), 'dist/\nnode_modules/\n');
  const git = gitIn(dir);
  git(['init', '-q', '-b', 'main']);
  git(['add', '-A']);
  await commitAs(dir, BOOTSTRAP_AUTHOR, 'Initial import of orders-service');
  return dir;
}

/** The example's config with the demo user added to every approval gate's approvers. */
function demoConfig(user: string): string {
  return `// Written by \`tollgate up --demo\`: the example's config, with ${user} as an approver.
import example from './tollgate.example.ts';

const user = ${JSON.stringify(user)};
export default {
  ...example,
  environments: example.environments.map((env) =>
    env.approval ? { ...env, approval: { ...env.approval, approvers: [...new Set([...env.approval.approvers, user])] } } : env,
  ),
};
`;
}

/** Seeds prod, bootstraps the first release, installs the hook and makes the demo commit. */
export async function runDemo(runtime: LocalRuntime, io: { say: (line: string) => void }): Promise<void> {
  const dir = join(runtime.dataDir, 'demo');
  const state = readState(runtime.dataDir);
  if (!state.bootstrapped) {
    await seedProdDatabase(runtime, dir, io.say);
    state.bootstrapRun ??= await startRun(runtime, gitIn(dir)(['rev-parse', 'HEAD']));
    writeState(runtime.dataDir, state);
    io.say(
      `demo: deploying the first release everywhere (run ${state.bootstrapRun}; its approvals are granted by ${demoUser()})`,
    );
    await finishBootstrap(runtime, state.bootstrapRun);
    state.bootstrapped = true;
    writeState(runtime.dataDir, state);
  }
  installPostCommitHook(dir, { dataDir: runtime.dataDir, endpoint: runtime.endpoint });
  if (!state.demoCommit) {
    // A change that leaves the schema alone on purpose: the migration stories (scenario b: a
    // UNIQUE(lower(email)) that fails on prod's data, then its fix) must find prod's case-duplicate
    // addresses still there when someone replays them on this repository.
    writeFileSync(join(dir, 'NOTES.md'), DEMO_NOTES);
    gitIn(dir)(['add', '-A']);
    // The hook emits the event: this is the path every later commit takes.
    state.demoCommit = await commitAs(dir, DEMO_AUTHOR, 'Add release notes for the first Tollgate release');
    writeState(runtime.dataDir, state);
    io.say(`demo: ${DEMO_AUTHOR.name} committed ${state.demoCommit.slice(0, 7)}; the hook started its run`);
  } else io.say(`demo: reusing ${dir} (demo commit ${state.demoCommit.slice(0, 7)})`);
}

async function seedProdDatabase(
  runtime: LocalRuntime,
  dir: string,
  say: (line: string) => void,
): Promise<void> {
  const source = runtime.config.database?.source;
  if (!source || !runtime.config.environments.some((e) => e.name === source && e.database?.port)) return;
  const connectionString = runtime.runner.ports.volumes.connectionString(source);
  await migrateDatabase(
    { connectionString, migrations: loadMigrationsFromDir(join(dir, runtime.config.database!.migrations)) },
    { clock: systemClock },
  );
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM customers');
    if (Number(rows[0]?.n) > 0) return;
    say(`demo: seeding ${source} with ${SEED.customers} customers and ${SEED.orders} orders`);
    await seedProd(client, SEED);
  } finally {
    await client.end();
  }
}

async function startRun(runtime: LocalRuntime, commit: string): Promise<string> {
  const git = gitIn(join(runtime.dataDir, 'demo'));
  const answer = (await runtime.bus.dispatch('PutEvents', {
    Entries: [
      {
        Source: 'tollgate.git',
        DetailType: 'Commit Pushed',
        Detail: JSON.stringify({
          repository: runtime.config.source.repository,
          branch: 'main',
          commit,
          parents: [],
          author: BOOTSTRAP_AUTHOR,
          message: git(['log', '-1', '--format=%B', commit]).trim(),
          timestamp: new Date(git(['log', '-1', '--format=%cI', commit])).toISOString(),
        }),
      },
    ],
  })) as { Entries: Array<{ EventId?: string; ErrorMessage?: string }> };
  const id = answer.Entries[0]?.EventId;
  if (!id) throw new Error(`the bus refused the bootstrap event: ${answer.Entries[0]?.ErrorMessage}`);
  return id;
}

/** Waits for the bootstrap run, approving each of its gates as the demo user. */
async function finishBootstrap(runtime: LocalRuntime, eventId: string): Promise<void> {
  const approve = createApproveHandler(async () => runtime.runner.ports);
  const executionArn = executionArnOf(runtime.stateMachineArn, eventId);
  for (;;) {
    let status: string;
    try {
      ({ status } = (await runtime.engine.service.dispatch('DescribeExecution', { executionArn })) as {
        status: string;
      });
    } catch {
      status = 'PENDING'; // the bus has not delivered the event yet
    }
    if (status === 'SUCCEEDED') return;
    if (status !== 'RUNNING' && status !== 'PENDING') {
      throw new Error(
        `the demo's first release did not reach every environment (${status}); see npx tollgate show ${runName(executionArn)}`,
      );
    }
    for (const approval of await runtime.runner.ports.approvals.listPending({ executionArn })) {
      await approve({
        approvalId: approval.id,
        decision: 'approve',
        comment: 'bootstrap release of the demo',
        caller: demoUser(),
      });
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

function readState(dataDir: string): DemoState {
  const path = join(dataDir, STATE_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as DemoState) : {};
}

function writeState(dataDir: string, state: DemoState): void {
  writeFileSync(join(dataDir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

function gitIn(dir: string) {
  return (args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Asynchronous on purpose: once the hook is installed, `git commit` runs it, and the hook calls this
 * very process over HTTP; a synchronous child would block the event loop that has to answer it.
 */
async function commitAs(dir: string, who: { name: string; email: string }, message: string): Promise<string> {
  await promisify(execFile)('git', ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', message], {
    cwd: dir,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
    },
  });
  return gitIn(dir)(['rev-parse', 'HEAD']);
}
