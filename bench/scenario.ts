import { join } from 'node:path';
import pg from 'pg';
import { seedProd } from '../examples/orders-service/seed/seed-prod.mjs';
import { createHandler as approveHandler } from '../functions/approve/handler.js';
import { migrateDatabase } from '../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../functions/migrate-database/migration-files.js';
import { systemClock } from '../functions/shared/clock.js';
import { createLocalPipeline } from '../test/support/local-pipeline.js';
import type { BenchResult } from './bench-row.js';

/**
 * Scenario (a), commit to prod on the real local runtime pieces (engine, function runner, PGlite
 * volumes, process deployer) in real time, with the prod approval given as soon as it is asked for.
 * The orchestration share is computed from the history's own timestamps: everything that is not a
 * task running (TaskStarted → TaskSucceeded/Failed) and not a Wait state counting down.
 */
interface HistoryEvent {
  readonly type: string;
  readonly timestamp: number;
}

export function orchestrationShare(events: readonly HistoryEvent[]) {
  const t = (e: HistoryEvent) => Number(e.timestamp) * 1000;
  const total = t(events.at(-1)!) - t(events[0]!);
  let task = 0;
  let wait = 0;
  let people = 0;
  let taskStart: number | undefined;
  let submitted: number | undefined;
  let waitStart: number | undefined;
  for (const e of events) {
    if (e.type === 'TaskStarted' || e.type === 'LambdaFunctionStarted') taskStart = t(e);
    // A task-token task waits for people from TaskSubmitted until the callback: neither
    // orchestration nor stage work.
    if (e.type === 'TaskSubmitted') {
      if (taskStart !== undefined) task += t(e) - taskStart;
      taskStart = undefined;
      submitted = t(e);
    }
    if (/^(Task|LambdaFunction)(Succeeded|Failed|TimedOut)$/.test(e.type)) {
      if (taskStart !== undefined) task += t(e) - taskStart;
      else if (submitted !== undefined) people += t(e) - submitted;
      taskStart = undefined;
      submitted = undefined;
    }
    if (e.type === 'WaitStateEntered') waitStart = t(e);
    if (e.type === 'WaitStateExited' && waitStart !== undefined) {
      wait += t(e) - waitStart;
      waitStart = undefined;
    }
  }
  return { total, task, wait, people, orchestration: Math.max(0, total - task - wait - people) };
}

/** Runs scenario (a) once; its wall time and where the run's time went (see orchestrationShare). */
export async function runScenarioA({ quick }: { quick: boolean }) {
  const pipeline = await createLocalPipeline({ database: true, approval: true, realClock: true });
  try {
    const prodUrl = pipeline.runner.ports.volumes.connectionString('prod');
    const example = join(import.meta.dirname, '../examples/orders-service');
    await migrateDatabase(
      { connectionString: prodUrl, migrations: loadMigrationsFromDir(join(example, 'migrations')) },
      { clock: systemClock },
    );
    const client = new pg.Client({ connectionString: prodUrl });
    await client.connect();
    await seedProd(
      client,
      quick ? { customers: 500, orders: 2_000 } : { customers: 10_000, orders: 100_000 },
    );
    await client.end();
    const started = Date.now();
    const run = await pipeline.start(pipeline.repo.commit('bench', { 'BENCH.md': `${started}\n` }));
    const approve = approveHandler(async () => pipeline.runner.ports);
    for (;;) {
      const pending = await pipeline.runner.ports.approvals.listPending({ executionArn: run });
      if (pending.length) {
        // The history's TaskScheduled → TaskSucceeded of the gate already measures this wait.
        await approve({ approvalId: pending[0]!.id, decision: 'approve', comment: 'bench', caller: 'ana' });
        break;
      }
      const d = await pipeline.call('DescribeExecution', { executionArn: run });
      if (d.status !== 'RUNNING') throw new Error(`run ended ${d.status} before the gate: ${d.cause}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const result = await pipeline.finish(run);
    if (result.status !== 'SUCCEEDED') throw new Error(`scenario (a) ${result.status}: ${result.cause}`);
    const wall = Date.now() - started;
    const history = await pipeline.call('GetExecutionHistory', { executionArn: run, maxResults: 1000 });
    const share = orchestrationShare(history.events);
    if (process.env.TOLLGATE_BENCH_GAPS) console.log(orchestrationGaps(history.events));
    return { wall, share };
  } finally {
    await pipeline.close();
  }
}

export async function benchScenario({ quick }: { quick: boolean }): Promise<BenchResult> {
  const { wall, share } = await runScenarioA({ quick });
  const pct = (x: number) => (100 * x) / share.total;
  return {
    rows: [
      {
        name: `scenario (a) commit → prod, auto-approved (${quick ? '2k' : '100k'} orders)`,
        value: wall / 1000,
        unit: 's',
      },
      { name: 'time in tasks (stage work)', value: pct(share.task), unit: '% of run' },
      { name: 'time in Wait states (poll intervals)', value: pct(share.wait), unit: '% of run' },
      { name: 'time waiting for the approver (auto-approved)', value: pct(share.people), unit: '% of run' },
      {
        name: 'orchestration: engine, bus and runner',
        value: pct(share.orchestration),
        unit: '% of run',
        target: '≤ 10%',
        met: pct(share.orchestration) <= 10,
      },
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./bench-row.js');
  const result = await benchScenario({ quick: process.argv.includes('--quick') });
  console.log(formatTable('scenario', result.rows));
}

/** The largest gaps between consecutive history events outside tasks and waits (where time goes). */
export function orchestrationGaps(events: readonly HistoryEvent[], top = 8) {
  const gaps: Array<{ ms: number; from: string; to: string }> = [];
  for (let i = 1; i < events.length; i++) {
    const a = events[i - 1]!;
    const b = events[i]!;
    if (/^(TaskStarted|LambdaFunctionStarted|WaitStateEntered|TaskSubmitted)$/.test(a.type)) continue;
    gaps.push({ ms: (Number(b.timestamp) - Number(a.timestamp)) * 1000, from: a.type, to: b.type });
  }
  return gaps.sort((x, y) => y.ms - x.ms).slice(0, top);
}
