import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { SystemEngineClock } from '../runtime/engine/clock.js';
import { createEngine, type Engine } from '../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../runtime/engine/lambda/object-lambda-invoker.js';
import type { EngineStore } from '../runtime/store/engine-store.js';
import { FileLogStore } from '../runtime/store/file-log-store.js';
import { MemoryStore } from '../runtime/store/memory-store.js';
import type { BenchResult, BenchRow } from './bench-row.js';
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
 * Choice/Pass loop, and executions per second with thousands running at once; ours in memory
 * (MemoryStore) and durable (FileLogStore, fsync before acknowledging). Then the engine server's
 * idle cost with 1,000 executions waiting on task tokens, and the time to restart over a data
 * directory of 10,000 executions with 1,000 open, each in a child process of its own.
 */
const ROLE = 'arn:aws:iam::123456789012:role/bench';
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
type Mode = 'memory' | 'durable';

export async function benchEngine(options: { quick?: boolean } = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const reps = quick ? 3 : 7;
  const rounds = quick ? 1000 : 5000;
  const concurrent = 5000;
  const rows: BenchRow[] = [];
  const chain = passChain(2000);
  const loop = choiceLoop(rounds);

  const peerChain = await timePeer(chain, reps);
  const peerLoop = await timePeer(loop, reps, { i: rounds });
  const peerSmall = await timePeerConcurrent(SMALL, concurrent, quick ? 1 : 3);
  for (const mode of ['memory', 'durable'] as const) {
    const target = mode === 'memory' ? 1.5 : 0.5;
    const ours = await withEngine(mode, async (local) => ({
      chain: await local.timeRun(chain, reps),
      loop: await local.timeRun(loop, reps),
      small: await local.timeConcurrent(SMALL, concurrent, quick ? 1 : 3),
    }));
    rows.push(
      throughput(`Pass chain, 2,000 states (${mode})`, 2000, ours.chain, peerChain, target, 'transitions/s'),
      throughput(
        `Choice/Pass loop, ${rounds} rounds (${mode})`,
        choiceLoopTransitions(rounds),
        ours.loop,
        peerLoop,
        target,
        'transitions/s',
      ),
      throughput(
        `small executions, ${concurrent} at once (${mode})`,
        concurrent,
        ours.small,
        peerSmall,
        target,
        'executions/s',
      ),
    );
  }
  rows.push(await measureIdleServer(fixtures, 1000));
  rows.push(...(await measureRecovery(quick ? 2000 : 10_000, quick ? 200 : 1000)));
  return { rows };
}

function throughput(
  name: string,
  units: number,
  oursMs: number,
  peerMs: number,
  target: number,
  unit: string,
): BenchRow {
  const ratio = peerMs / oursMs;
  return {
    name,
    value: Math.round((units / oursMs) * 1000),
    unit,
    peer: `aws-local-stepfunctions ${Math.round((units / peerMs) * 1000)}`,
    ratio,
    target: `≥ ${target}×`,
    met: ratio >= target,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median ms per run after one warm-up run, so both engines are measured JIT-warm. */
async function timePeer(
  definition: Record<string, unknown>,
  reps: number,
  expected?: unknown,
): Promise<number> {
  const machine = new StateMachine(definition as never);
  const output = await machine.run({}).result;
  // A peer that skips the work would look fast; check it did the same computation.
  if (expected !== undefined && JSON.stringify(output) !== JSON.stringify(expected)) {
    throw new Error(`peer returned ${JSON.stringify(output)}, expected ${JSON.stringify(expected)}`);
  }
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const began = performance.now();
    await machine.run({}).result;
    times.push(performance.now() - began);
  }
  return median(times);
}

async function timePeerConcurrent(definition: Record<string, unknown>, count: number, reps: number) {
  const machine = new StateMachine(definition as never);
  await Promise.all(Array.from({ length: 100 }, (_, i) => machine.run({ i }).result));
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const began = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => machine.run({ i }).result));
    times.push(performance.now() - began);
  }
  return median(times);
}

/** Our engine driven through its API (the same calls the HTTP server dispatches), minus HTTP. */
class LocalEngine {
  private readonly ended = new Map<string, string>();
  private readonly waiters = new Map<string, (status: string) => void>();
  private machines = 0;

  constructor(readonly engine: Engine) {
    engine.onEvent((arn, event) => {
      if (!/^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(event.type)) return;
      const waiter = this.waiters.get(arn);
      if (waiter) {
        this.waiters.delete(arn);
        waiter(event.type);
      } else {
        this.ended.set(arn, event.type);
      }
    });
  }

  async create(definition: Record<string, unknown>): Promise<string> {
    const out = (await this.engine.service.dispatch('CreateStateMachine', {
      name: `bench-${++this.machines}`,
      roleArn: ROLE,
      definition: JSON.stringify(definition),
    })) as { stateMachineArn: string };
    return out.stateMachineArn;
  }

  async run(stateMachineArn: string, input: string): Promise<void> {
    const { executionArn } = (await this.engine.service.dispatch('StartExecution', {
      stateMachineArn,
      input,
    })) as { executionArn: string };
    const status =
      this.ended.get(executionArn) ??
      (await new Promise<string>((resolve) => this.waiters.set(executionArn, resolve)));
    this.ended.delete(executionArn);
    if (status !== 'ExecutionSucceeded') throw new Error(`bench execution ended ${status}: ${executionArn}`);
  }

  async timeRun(definition: Record<string, unknown>, reps: number): Promise<number> {
    const arn = await this.create(definition);
    await this.run(arn, '{}');
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const began = performance.now();
      await this.run(arn, '{}');
      times.push(performance.now() - began);
    }
    return median(times);
  }

  async timeConcurrent(definition: Record<string, unknown>, count: number, reps: number): Promise<number> {
    const arn = await this.create(definition);
    await Promise.all(Array.from({ length: 100 }, (_, i) => this.run(arn, `{"i":${i}}`)));
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      const began = performance.now();
      await Promise.all(Array.from({ length: count }, (_, i) => this.run(arn, `{"i":${i}}`)));
      times.push(performance.now() - began);
    }
    return median(times);
  }
}

async function withEngine<T>(mode: Mode, body: (local: LocalEngine) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-engine-'));
  const store: EngineStore = mode === 'memory' ? new MemoryStore() : await FileLogStore.open(dir);
  const engine = createEngine({
    store,
    clock: new SystemEngineClock(),
    lambda: new ObjectLambdaInvoker({ notify: () => ({ sent: true }) }),
  });
  try {
    await engine.start();
    return await body(new LocalEngine(engine));
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
