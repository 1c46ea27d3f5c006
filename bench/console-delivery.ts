import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type ConsoleRoutes, createConsoleRoutes } from '../console/server/index.js';
import { appScript } from '../console/server/ui-assets.js';
import { DirLedger } from '../functions/shared/adapters/local/dir-ledger.js';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';
import { FakeEngineClock } from '../runtime/engine/clock.js';
import { createEngine } from '../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../runtime/store/memory-store.js';
import { CHROMIUM, hasBrowser, launchChromium } from '../test/browser/support/browser.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * First render of the delivery board and of the statistics page (DORA charts, stage durations)
 * in headless Chromium, over 10,000 runs held by the real engine and two years of ledger in a real
 * DirLedger (release, approval, three promotions and a run summary per run; one run in 20 rolled
 * back in prod). The last 30 runs loop, so the stage-duration fold reads histories of about 600
 * events each, as a pipeline run's is. The console is warm (bundle built, run index loaded), as
 * it is once `tollgate up` has served a page; each figure is navigation to drawn page.
 */
const RUNS = 10_000;
const YEARS = 2;
const LONG_RUNS = 30;
const TARGET_MS = 1000;
const ENVIRONMENTS = ['test', 'staging', 'prod'];

/** Loops `turns` times (from its input), four events a turn: short runs and pipeline-sized ones. */
const LOOP = JSON.stringify({
  QueryLanguage: 'JSONata',
  StartAt: 'Start',
  States: {
    Start: { Type: 'Pass', Assign: { i: 0, turns: '{% $states.input.turns %}' }, Next: 'Again' },
    Again: {
      Type: 'Choice',
      Choices: [{ Condition: '{% $i < $turns %}', Next: 'Inc' }],
      Default: 'Done',
    },
    Inc: { Type: 'Pass', Assign: { i: '{% $i + 1 %}' }, Next: 'Again' },
    Done: { Type: 'Succeed' },
  },
});

const config = {
  name: 'bench',
  environments: ENVIRONMENTS.map((name) => ({ name })),
} as unknown as TollgateConfig;

// biome-ignore lint/suspicious/noExplicitAny: engine answers are untyped AWS JSON, read field by field
type Call = (op: string, body: unknown) => Promise<any>;

export async function benchConsoleDelivery({ quick }: { quick: boolean }): Promise<BenchResult> {
  if (!hasBrowser) throw new Error(`no Chromium at ${CHROMIUM}`);
  const end = Date.parse('2026-12-01T00:00:00Z');
  const start = end - YEARS * 365 * 86_400_000;
  const step = Math.floor((end - start) / RUNS);
  const clock = new FakeEngineClock(start);
  const engine = createEngine({
    store: new MemoryStore(),
    clock,
    lambda: new ObjectLambdaInvoker({}),
    accountId: '000000000000',
  });
  await engine.start();
  const call: Call = (op, body) => engine.service.dispatch(op, body);
  const { stateMachineArn } = await call('CreateStateMachine', {
    name: 'tollgate-bench',
    definition: LOOP,
    roleArn: 'arn:aws:iam::000000000000:role/bench',
  });
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-delivery-'));
  const lines: string[] = [];
  const push = (e: Omit<StoredLedgerEntry, 'seq' | 'pipeline' | 'idempotencyKey'>) =>
    lines.push(
      JSON.stringify({
        ...e,
        pipeline: 'bench',
        idempotencyKey: `k${lines.length + 1}`,
        seq: lines.length + 1,
      }),
    );
  for (let i = 0; i < RUNS; i++) {
    clock.advanceTo(start + i * step);
    const name = `run-${String(i).padStart(5, '0')}`;
    const commit = (i * 2654435761).toString(16).padStart(40, '0').slice(-40);
    const { executionArn } = await call('StartExecution', {
      stateMachineArn,
      name,
      input: JSON.stringify({
        source: 'tollgate.git',
        'detail-type': 'Commit Pushed',
        turns: i >= RUNS - LONG_RUNS ? 150 : 0,
        detail: {
          repository: 'bench',
          branch: 'main',
          commit,
          author: { name: `dev${i % 13}`, email: '' },
          message: `OPS-${i} change ${i}`,
        },
      }),
    });
    if (i % 1000 === 999) await waitDone(call, executionArn);
    ledgerFor(push, i, executionArn, commit, start + i * step);
  }
  writeFileSync(join(dir, 'ledger.jsonl'), `${lines.join('\n')}\n`);
  const ledger = new DirLedger(dir);

  let routes: ConsoleRoutes | null = null;
  const server = createServer(async (req, res) => {
    if (!(await routes!(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  routes = createConsoleRoutes({
    sfn: engine.service,
    ledger,
    approvals: { listPending: async () => [] },
    aslText: LOOP,
    stateMachineArn,
    config,
    secret: 'bench-secret-0123456789abcdef',
    port,
    onEvent: (listener) => engine.onEvent(listener),
    clock: { now: () => new Date(end) },
  });
  const browser = await launchChromium();
  const origin = `http://127.0.0.1:${port}`;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const repeats = quick ? 1 : 3;
    const timeTo = async (hash: string, selector: string, count: number) => {
      await page.goto('about:blank');
      const started = performance.now();
      await page.goto(`${origin}/console${hash}`);
      await page
        .locator(selector)
        .nth(count - 1)
        .waitFor({ timeout: 30_000 });
      return performance.now() - started;
    };
    await timeTo('#/runs', 'table.runs tbody tr[data-run]', 1); // warm: bundle built, index loaded
    if (process.env.BENCH_DEBUG) {
      for (const path of [
        '/api/board',
        '/api/board',
        '/api/stats?days=90&runs=30',
        '/api/stats?days=90&runs=30',
        '/api/runs?limit=50',
        '/console/app.js',
      ]) {
        const t = performance.now();
        const body = await (await fetch(`${origin}${path}`)).text();
        console.log(path, body.length, Math.round(performance.now() - t), 'ms');
      }
    }
    const boardMs = await median(repeats, () => timeTo('#/board', 'section.board-lane', ENVIRONMENTS.length));
    const statsMs = await median(repeats, () => timeTo('#/stats', '.chart-canvas[data-drawn]', 3));
    // Peer: the runs list over the same runs, the page the console bench times, in this same run.
    const runsMs = await median(repeats, () => timeTo('#/runs', 'table.runs tbody tr[data-run]', 1));
    const bundle = await appScript();
    const rows: BenchRow[] = [
      {
        name: `delivery board, first render (${RUNS} runs, ${lines.length} ledger entries over ${YEARS} years)`,
        value: boardMs,
        unit: 'ms',
        peer: `runs list ${Math.round(runsMs)} ms`,
        ratio: boardMs / runsMs,
        target: `≤ ${TARGET_MS} ms`,
        met: boardMs <= TARGET_MS,
      },
      {
        name: `DORA and stage-duration charts, first render (same data; last ${LONG_RUNS} runs folded)`,
        value: statsMs,
        unit: 'ms',
        peer: `runs list ${Math.round(runsMs)} ms`,
        ratio: statsMs / runsMs,
        target: `≤ ${TARGET_MS} ms`,
        met: statsMs <= TARGET_MS,
      },
      {
        name: 'console script, minified / gzipped',
        value: `${kib(bundle.length)} / ${kib(gzipSync(bundle).length)}`,
        unit: 'KiB',
      },
    ];
    return { rows };
  } finally {
    await browser.close();
    routes.close();
    server.closeAllConnections();
    server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One run's ledger: release, promotions through the gate; one in 20 fails in prod and rolls back. */
function ledgerFor(
  push: (e: Omit<StoredLedgerEntry, 'seq' | 'pipeline' | 'idempotencyKey'>) => void,
  i: number,
  executionArn: string,
  commit: string,
  startedAt: number,
): void {
  const version = `r${i + 1}-${commit.slice(0, 7)}`;
  const at = (minutes: number) => new Date(startedAt + minutes * 60_000).toISOString();
  const base = { executionArn, releaseVersion: version };
  push({ kind: 'release', at: at(3), ...base, data: { commit, commitTime: at(-30), digest: 'sha256:x' } });
  push({ kind: 'promotion', at: at(10), ...base, environment: 'test', data: { commit } });
  push({ kind: 'promotion', at: at(20), ...base, environment: 'staging', data: { commit } });
  push({
    kind: 'approval-decision',
    at: at(40),
    ...base,
    environment: 'prod',
    actor: 'ana',
    data: { outcome: 'approved', approvedBy: ['ana'] },
  });
  if (i % 20 === 19) {
    push({
      kind: 'rollback',
      at: at(50),
      ...base,
      environment: 'prod',
      data: { failedVersion: version, restoredVersion: `r${i}-x`, action: 'redeployed' },
    });
  } else push({ kind: 'promotion', at: at(50), ...base, environment: 'prod', data: { commit } });
  push({
    kind: 'run-summary',
    at: at(55),
    ...base,
    data: { status: i % 20 === 19 ? 'FAILED' : 'SUCCEEDED' },
  });
}

const kib = (bytes: number) => Math.round(bytes / 1024);

async function median(times: number, measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)]!;
}

async function waitDone(call: Call, executionArn: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const d = await call('DescribeExecution', { executionArn });
    if (d.status !== 'RUNNING') return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`${executionArn} did not finish`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./bench-row.js');
  console.log(
    formatTable(
      'console-delivery',
      (await benchConsoleDelivery({ quick: process.argv.includes('--quick') })).rows,
    ),
  );
}
