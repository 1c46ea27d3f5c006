import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ConsoleRoutes, createConsoleRoutes } from '../console/server/index.js';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import { FakeEngineClock } from '../runtime/engine/clock.js';
import { createEngine } from '../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../runtime/store/memory-store.js';
import { CHROMIUM, hasBrowser, launchChromium } from '../test/browser/support/browser.js';
import type { BenchResult, BenchRow } from './bench-row.js';

/**
 * Time to first render in headless Chromium, from navigation to the first row on screen:
 * - the runs list over 10,000 runs held by the real engine;
 * - the event history of one run with 25,000 events (just under the engine's cap).
 * The console server is warm (its UI bundle built), as it is once `tollgate up` has served a page.
 */
const RUNS = 10_000;
const HISTORY_EVENTS = 24_990;
const TARGET_MS = 1000;

const ONE_PASS = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });
/** Pass + Choice per loop: four events per turn, plus the start and end events. */
const loop = (turns: number) =>
  JSON.stringify({
    QueryLanguage: 'JSONata',
    StartAt: 'Inc',
    States: {
      Inc: { Type: 'Pass', Assign: { i: '{% ($exists($i) ? $i : 0) + 1 %}' }, Next: 'Again' },
      Again: {
        Type: 'Choice',
        Choices: [{ Condition: `{% $i < ${turns} %}`, Next: 'Inc' }],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  });

// biome-ignore lint/suspicious/noExplicitAny: engine answers are untyped AWS JSON, read field by field
type Call = (op: string, body: unknown) => Promise<any>;

const config = {
  name: 'bench',
  environments: [{ name: 'test' }, { name: 'staging' }, { name: 'prod' }],
} as unknown as TollgateConfig;

async function median(times: number, measure: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < times; i++) values.push(await measure());
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

export async function benchConsole({ quick }: { quick: boolean }): Promise<BenchResult> {
  if (!hasBrowser) throw new Error(`no Chromium at ${CHROMIUM}`);
  const clock = new FakeEngineClock(Date.parse('2026-01-01T00:00:00Z'));
  const engine = createEngine({
    store: new MemoryStore(),
    clock,
    lambda: new ObjectLambdaInvoker({}),
    accountId: '000000000000',
  });
  await engine.start();
  const call: Call = (op, body) => engine.service.dispatch(op, body);
  const role = 'arn:aws:iam::000000000000:role/bench';
  const { stateMachineArn } = await call('CreateStateMachine', {
    name: 'bench',
    definition: ONE_PASS,
    roleArn: role,
  });
  for (let i = 0; i < RUNS; i++) {
    clock.advanceTo(clock.now() + 1000);
    const { executionArn } = await call('StartExecution', {
      stateMachineArn,
      name: `run-${String(i).padStart(5, '0')}`,
      input: JSON.stringify({
        source: 'tollgate.git',
        'detail-type': 'Commit Pushed',
        detail: {
          repository: 'bench',
          branch: i % 7 ? 'main' : 'feature',
          commit: i.toString(16).padStart(40, '0'),
          author: { name: `dev${i % 13}`, email: '' },
          message: `change ${i}`,
        },
      }),
    });
    if (i % 1000 === 999) await waitDone(call, executionArn);
  }
  const long = await call('CreateStateMachine', {
    name: 'long',
    definition: loop((HISTORY_EVENTS - 3) / 4),
    roleArn: role,
  });
  const { executionArn: longArn } = await call('StartExecution', {
    stateMachineArn: long.stateMachineArn,
    name: 'long-run',
  });
  await waitDone(call, longArn);
  const events = await countEvents(call, longArn);

  let routes: ConsoleRoutes | null = null;
  let longRoutes: ConsoleRoutes | null = null;
  const server = createServer(async (req, res) => {
    const handler =
      req.headers['x-bench'] === 'long' || (req.url ?? '').includes('long-run') ? longRoutes : routes;
    if (!(await handler!(req, res))) res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const deps = {
    sfn: engine.service,
    ledger: { query: async () => [] },
    approvals: { listPending: async () => [] },
    aslText: ONE_PASS,
    config,
    secret: 'bench-secret-0123456789abcdef',
    port,
    onEvent: (listener: Parameters<typeof engine.onEvent>[0]) => engine.onEvent(listener),
    clock: { now: () => new Date(clock.now()) },
  };
  routes = createConsoleRoutes({ ...deps, stateMachineArn });
  longRoutes = createConsoleRoutes({ ...deps, stateMachineArn: long.stateMachineArn, aslText: loop(1) });
  const browser = await launchChromium();
  const origin = `http://127.0.0.1:${port}`;
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${origin}/console#/runs`); // warm: bundle built, index loaded
    await page.locator('table.runs tbody tr[data-run]').first().waitFor();
    const repeats = quick ? 1 : 3;
    const timeTo = async (hash: string, selector: string) => {
      await page.goto('about:blank');
      const started = performance.now();
      await page.goto(`${origin}/console${hash}`);
      await page.locator(selector).first().waitFor({ timeout: 30_000 });
      return performance.now() - started;
    };
    if (process.env.BENCH_DEBUG) {
      for (const path of [
        '/console/app.js',
        '/api/envs',
        '/api/runs/long-run/history?limit=1000',
        '/api/runs/long-run',
        '/api/graph',
      ]) {
        const t = performance.now();
        const r = await fetch(`${origin}${path}`);
        const body = await r.text();
        console.log(path, r.status, body.length, Math.round(performance.now() - t), 'ms');
      }
    }
    const runsMs = await median(repeats, () => timeTo('#/runs', 'table.runs tbody tr[data-run]'));
    const historyMs = await median(repeats, () => timeTo('#/runs/long-run', '.vt-row[data-event-id]'));
    const rows: BenchRow[] = [
      {
        name: `runs list, first render (${RUNS} runs)`,
        value: runsMs,
        unit: 'ms',
        target: `≤ ${TARGET_MS} ms`,
        met: runsMs <= TARGET_MS,
      },
      {
        name: `event history, first render (${events} events)`,
        value: historyMs,
        unit: 'ms',
        target: `≤ ${TARGET_MS} ms`,
        met: historyMs <= TARGET_MS,
      },
    ];
    return { rows };
  } finally {
    await browser.close();
    routes.close();
    longRoutes.close();
    server.closeAllConnections();
    server.close();
    await engine.close();
  }
}

async function waitDone(call: Call, executionArn: string): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    const d = await call('DescribeExecution', { executionArn });
    if (d.status !== 'RUNNING') return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`${executionArn} did not finish`);
}

async function countEvents(call: Call, executionArn: string): Promise<number> {
  let count = 0;
  let nextToken: string | undefined;
  do {
    const page = await call('GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      ...(nextToken ? { nextToken } : {}),
    });
    count += page.events.length;
    nextToken = page.nextToken;
  } while (nextToken);
  return count;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { formatTable } = await import('./bench-row.js');
  console.log(formatTable('console', (await benchConsole({ quick: process.argv.includes('--quick') })).rows));
}
