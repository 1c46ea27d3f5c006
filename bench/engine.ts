import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SystemEngineClock } from '../runtime/engine/clock.js';
import { createEngine, type Engine } from '../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../runtime/engine/lambda/object-lambda-invoker.js';
import { FileLogStore } from '../runtime/store/file-log-store.js';
import type { BenchResult, BenchRow } from './bench-row.js';
import { type Comparison, compare, LocalEngine, type Sample, type Workload } from './engine-throughput.js';
import {
  choiceLoop,
  choiceLoopTransitions,
  passChain,
  SMALL,
  WAIT_FOR_TOKEN,
} from './fixtures/engine-definitions.js';
import { measureIdleServer } from './fixtures/engine-idle.js';

/**
 * The local engine against the npm package `aws-local-stepfunctions` (the peer the issue names),
 * both in this process on the same definitions: transitions per second on a long Pass chain and a
 * Choice/Pass loop, and executions per second with thousands running at once; ours in memory mode
 * (no store) and durable (FileLogStore, fsync before acknowledging). See engine-throughput.ts for
 * how runs are interleaved, timed and checked. Then the engine server's
 * idle cost with 1,000 executions waiting on task tokens, and the time to restart over a data
 * directory of 10,000 executions with 1,000 open, each in a child process of its own.
 */
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
type Mode = 'memory' | 'durable';

/** Ours ÷ peer, as the issue sets them: memory mode at least level (aiming at 1.5×), durable 0.3×. */
const TARGETS: Readonly<Record<Mode, { min: number; label: string }>> = {
  memory: { min: 1.0, label: '≥ 1.0× (aim 1.5×)' },
  durable: { min: 0.3, label: '≥ 0.3×' },
};

export async function benchEngine(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const runs = quick ? 5 : 20;
  const warmup = quick ? 1 : 3;
  const rounds = quick ? 1000 : 5000;
  const concurrent = 5000;
  const workloads = [
    {
      name: 'Pass chain, 2,000 states',
      units: 2000,
      unit: 'transitions/s',
      workload: single(passChain(2000), {}, 2 + 2 * 2000),
    },
    {
      name: `Choice/Pass loop, ${rounds.toLocaleString('en')} rounds`,
      units: choiceLoopTransitions(rounds),
      unit: 'transitions/s',
      workload: single(choiceLoop(rounds), { i: rounds }, 2 + 2 * choiceLoopTransitions(rounds)),
    },
    {
      name: `small executions, ${concurrent.toLocaleString('en')} at once`,
      units: concurrent,
      unit: 'executions/s',
      workload: {
        definition: SMALL,
        executions: concurrent,
        input: (k: number) => ({ i: k }),
        output: (k: number) => ({ i: k, a: { ok: true } }),
        events: 2 + 2 * 3,
      },
    },
  ];
  const rows: BenchRow[] = [];
  for (const mode of ['memory', 'durable'] as const) {
    await withEngine(mode, async (engine) => {
      for (const w of workloads) {
        const result = await compare(engine, w.workload, { warmup, runs });
        rows.push(throughputRow(`${w.name} (${mode})`, w.units, w.unit, result, TARGETS[mode]));
      }
    });
  }
  rows.push(await measureIdleServer(fixtures, 1000));
  rows.push(...(await measureRecovery(quick ? 2000 : 10_000, quick ? 200 : 1000)));
  return { rows };
}

function single(definition: Record<string, unknown>, output: unknown, events: number): Workload {
  return { definition, executions: 1, input: () => ({}), output: () => output, events };
}

function throughputRow(
  name: string,
  units: number,
  unit: string,
  result: Comparison,
  target: { min: number; label: string },
): BenchRow {
  const ours = summary(result.ours, units);
  const peer = summary(result.peer, units);
  const ratio = peer.wallMs / ours.wallMs;
  return {
    name,
    value: ours.text,
    unit: `${unit}, median of ${result.ours.length} runs (IQR); wall and CPU per run`,
    peer: `aws-local-stepfunctions ${peer.text}`,
    ratio,
    target: target.label,
    met: ratio >= target.min,
  };
}

/** Median throughput with its interquartile range, and the median wall and CPU time per run. */
function summary(samples: readonly Sample[], units: number) {
  const wall = samples.map((s) => s.wallMs).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpuMs).sort((a, b) => a - b);
  const rate = (ms: number) => Math.round((units / ms) * 1000).toLocaleString('en');
  const wallMs = quantile(wall, 0.5);
  // Slower runs give lower rates: the 75th percentile of time is the 25th of throughput.
  const text = `${rate(wallMs)} (${rate(quantile(wall, 0.75))}–${rate(quantile(wall, 0.25))}); wall ${wallMs.toFixed(1)} ms, CPU ${quantile(cpu, 0.5).toFixed(1)} ms`;
  return { wallMs, text };
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** Memory mode is the engine without a store; durable mode fsyncs a FileLogStore. */
async function withEngine<T>(mode: Mode, body: (engine: Engine) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-engine-'));
  const engine = createEngine({
    store: mode === 'durable' ? await FileLogStore.open(dir) : undefined,
    clock: new SystemEngineClock(),
    lambda: new ObjectLambdaInvoker({ notify: () => ({ sent: true }) }),
  });
  try {
    await engine.start();
    return await body(engine);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a data directory with `total` executions of which `open` wait on task tokens, then
 * restarts over it twice in fresh processes: first over the log as written (the start-up
 * compaction runs inside that restart), then over the compacted log.
 */
export async function measureRecovery(total: number, open: number): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-recovery-'));
  const dataDir = join(dir, 'data');
  const functions = join(dir, 'functions.json');
  writeFileSync(functions, JSON.stringify({ notify: join(fixtures, 'notify.mjs#handler') }));
  try {
    const store = await FileLogStore.open(dataDir);
    const engine = createEngine({
      store,
      clock: new SystemEngineClock(),
      lambda: new ObjectLambdaInvoker({ notify: () => ({ sent: true }) }),
    });
    await engine.start();
    let submitted = 0;
    engine.onEvent((_arn, event) => {
      if (event.type === 'TaskSubmitted') submitted += 1;
    });
    const local = new LocalEngine(engine);
    const small = await local.create(SMALL);
    const waiting = await local.create(WAIT_FOR_TOKEN);
    for (let i = 0; i < total - open; i += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, total - open - i) }, (_, k) => local.run(small, `{"i":${i + k}}`)),
      );
    }
    for (let i = 0; i < open; i++) {
      await engine.service.dispatch('StartExecution', { stateMachineArn: waiting, input: `{"i":${i}}` });
    }
    while (submitted < open) await new Promise((r) => setTimeout(r, 10));
    await engine.close();
    const label = `${total.toLocaleString('en')} executions, ${open.toLocaleString('en')} open`;
    const first = restart(dataDir, functions, open);
    const second = restart(dataDir, functions, open);
    return [
      {
        name: `restart, log as written (${label}; includes start-up compaction)`,
        value: first.ms,
        unit: 'ms',
      },
      { name: `restart after compaction (${label})`, value: second.ms, unit: 'ms' },
      { name: `engine RSS after restart (${label})`, value: second.rssMb, unit: 'MiB' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function restart(dataDir: string, functions: string, open: number): { ms: number; rssMb: number } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(fixtures, 'engine-restart.ts'), dataDir, functions],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) {
    const why =
      child.stderr
        .trim()
        .split('\n')
        .filter((l) => /Error|error/.test(l))[0] ?? `exit ${child.status}`;
    throw new Error(`restart child failed: ${why}`);
  }
  const result = JSON.parse(line) as { ms: number; running: number; rssMb: number };
  if (result.running !== open)
    throw new Error(`restart found ${result.running} open executions, expected ${open}`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatTable } = await import('./bench-row.js');
  const result = await benchEngine({ quick: process.argv.includes('--quick') });
  console.log(formatTable('engine', result.rows));
}
