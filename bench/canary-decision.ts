import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createLocalPipeline } from '../test/support/local-pipeline.js';
import type { BenchRow } from './bench-row.js';

/**
 * Canary decision latency on the real local runtime pieces (engine, function runner, process
 * deployer and its weighted proxy, the example app under a load generator's real traffic): from
 * the end of a step's interval (WaitForCanary exits) to the traffic moved, that is the next step's
 * shift, the completion or the abort returning. Read from the run's own history timestamps.
 */
interface HistoryEvent {
  readonly type: string;
  readonly timestamp: number;
  readonly stateEnteredEventDetails?: { readonly name: string };
}

const MOVES = new Set(['ShiftTraffic', 'CompleteCanary', 'AbortCanary']);

/** Each interval's end → traffic moved, in ms, labelled by what moved it. */
function decisionLatencies(events: readonly HistoryEvent[]): Array<{ ms: number; move: string }> {
  const found: Array<{ ms: number; move: string }> = [];
  let state = '';
  let intervalEnd: number | undefined;
  for (const e of events) {
    const at = Number(e.timestamp) * 1000;
    if (e.stateEnteredEventDetails) state = e.stateEnteredEventDetails.name;
    if (e.type === 'WaitStateExited' && state === 'WaitForCanary') intervalEnd = at;
    if (/^(Task|LambdaFunction)Succeeded$/.test(e.type) && MOVES.has(state) && intervalEnd !== undefined) {
      found.push({ ms: at - intervalEnd, move: state });
      intervalEnd = undefined;
    }
  }
  return found;
}

const EXAMPLE = join(import.meta.dirname, '../examples/orders-service');

export async function benchCanaryDecision({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const steps = quick ? [25, 50, 75] : [10, 20, 30, 40, 50, 60, 70, 80, 90];
  const pipeline = await createLocalPipeline({
    realClock: true,
    prodStrategy: {
      type: 'canary',
      steps,
      interval: '2s',
      analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05, minSamples: 5 }],
    },
  });
  const prodPort = (pipeline.config.environments.find((e) => e.name === 'prod')!.deploy as { port: number })
    .port;
  const load = spawn(
    process.execPath,
    [
      join(EXAMPLE, 'scenarios/load-generator.mjs'),
      '--url',
      `http://127.0.0.1:${prodPort}/orders`,
      '--rps',
      '80',
    ],
    { stdio: 'ignore' },
  );
  try {
    const run = async (name: string, files: Record<string, string>) => {
      const arn = await pipeline.start(pipeline.repo.commit(name, files), name);
      const result = await pipeline.finish(arn);
      const history = await pipeline.call('GetExecutionHistory', { executionArn: arn, maxResults: 1000 });
      return { result, latencies: decisionLatencies(history.events) };
    };
    const first = await run('baseline', { 'BENCH.md': 'baseline\n' });
    if (first.result.status !== 'SUCCEEDED')
      throw new Error(`baseline run ${first.result.status}: ${first.result.cause}`);
    const good = await run('good', { 'BENCH.md': 'good\n' });
    if (good.result.status !== 'SUCCEEDED')
      throw new Error(`good canary ${good.result.status}: ${good.result.cause}`);
    const bad = await run('bad', { 'src/faults.json': '{ "ordersFailUnderLoadIn": ["prod"] }\n' });
    if (bad.result.error !== 'Tollgate.CanaryAborted')
      throw new Error(`bad canary ended ${bad.result.status} ${bad.result.error}`);
    const shifts = good.latencies.map((l) => l.ms).sort((a, b) => a - b);
    const aborts = bad.latencies.filter((l) => l.move === 'AbortCanary').map((l) => l.ms);
    const p50 = shifts[Math.ceil(shifts.length / 2) - 1]!;
    const worst = Math.max(...shifts, ...aborts);
    return [
      {
        name: `canary decision: interval end → traffic shifted, p50 of ${shifts.length} decisions (next step or complete)`,
        value: p50,
        unit: 'ms',
      },
      {
        name: 'canary decision: interval end → aborted (failing release)',
        value: aborts[0] ?? Number.NaN,
        unit: 'ms',
      },
      {
        name: 'canary decision: slowest of all',
        value: worst,
        unit: 'ms',
        target: '≤ 1000 ms',
        met: worst <= 1000,
      },
    ];
  } finally {
    load.kill('SIGTERM');
    await pipeline.close();
  }
}
