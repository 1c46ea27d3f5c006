import { StateMachine } from 'aws-local-stepfunctions';
import type { Engine } from '../runtime/engine/engine.js';

/**
 * The engine's throughput figures against aws-local-stepfunctions: both engines run the same
 * workload alternately (peer, ours, ours, peer, …), so load from other processes on a shared
 * machine lands on both and the ratio stays meaningful. Every timed run is checked afterwards,
 * outside the timing, for its output and its number of history events, so neither engine can look
 * fast by doing less.
 */
const ROLE = 'arn:aws:iam::123456789012:role/bench';

/** One workload: `executions` executions of `definition`, started together. */
export interface Workload {
  readonly definition: Record<string, unknown>;
  readonly executions: number;
  /** Input of execution `k`. */
  readonly input: (k: number) => Record<string, unknown>;
  /** What execution `k` must output. */
  readonly output: (k: number) => unknown;
  /** History events per execution (both engines log ExecutionStarted, Entered/Exited per state, the end). */
  readonly events: number;
}

export interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface Comparison {
  readonly ours: readonly Sample[];
  readonly peer: readonly Sample[];
}

/** Runs one workload once and returns a check to call after the timing. */
type Runner = () => Promise<() => Promise<void>>;

/** `warmup` untimed runs of each, then `runs` timed runs of each, interleaved. */
export async function compare(
  engine: Engine,
  workload: Workload,
  options: { warmup: number; runs: number },
): Promise<Comparison> {
  const ours = await ourRunner(engine, workload);
  const peer = peerRunner(workload);
  for (let i = 0; i < options.warmup; i++) {
    await (await peer())();
    await (await ours())();
  }
  const samples = { ours: [] as Sample[], peer: [] as Sample[] };
  for (let i = 0; i < options.runs; i++) {
    // Alternate who goes first, so neither always runs right after the other's garbage.
    const order = i % 2 === 0 ? (['peer', 'ours'] as const) : (['ours', 'peer'] as const);
    for (const who of order) {
      const { sample, check } = await timed(who === 'ours' ? ours : peer);
      await check();
      samples[who].push(sample);
    }
  }
  return samples;
}

async function timed(run: Runner): Promise<{ sample: Sample; check: () => Promise<void> }> {
  const cpu = process.cpuUsage();
  const began = performance.now();
  const check = await run();
  const wallMs = performance.now() - began;
  const used = process.cpuUsage(cpu);
  return { sample: { wallMs, cpuMs: (used.user + used.system) / 1000 }, check };
}

function peerRunner(workload: Workload): Runner {
  const machine = new StateMachine(workload.definition as never);
  return async () => {
    const executions = Array.from({ length: workload.executions }, (_, k) =>
      machine.run(workload.input(k) as never),
    );
    const outputs = await Promise.all(executions.map((e) => e.result));
    return async () => {
      for (const [k, execution] of executions.entries()) {
        let events = 0;
        for await (const _event of execution.eventLogs) events += 1;
        verify('aws-local-stepfunctions', k, outputs[k], events, workload);
      }
    };
  };
}

async function ourRunner(engine: Engine, workload: Workload): Promise<Runner> {
  const local = new LocalEngine(engine);
  const arn = await local.create(workload.definition);
  return async () => {
    const executions = await Promise.all(
      Array.from({ length: workload.executions }, (_, k) =>
        local.run(arn, JSON.stringify(workload.input(k))),
      ),
    );
    return async () => {
      for (const [k, executionArn] of executions.entries()) {
        const { output, events } = await local.outcome(executionArn);
        verify('tollgate', k, output, events, workload);
      }
    };
  };
}

function verify(engine: string, k: number, output: unknown, events: number, workload: Workload): void {
  const expected = JSON.stringify(workload.output(k));
  if (JSON.stringify(output) !== expected) {
    throw new Error(`${engine} execution ${k} output ${JSON.stringify(output)}, expected ${expected}`);
  }
  if (events !== workload.events) {
    throw new Error(`${engine} execution ${k} logged ${events} events, expected ${workload.events}`);
  }
}

let machines = 0;
const ENDS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut']);

/** Our engine driven through its API (the same calls the HTTP server dispatches), minus HTTP. */
export class LocalEngine {
  private readonly ended = new Map<string, string>();
  private readonly waiters = new Map<string, (status: string) => void>();

  constructor(readonly engine: Engine) {
    engine.onEvent((arn, event) => {
      // Runs inside our timing for every event: a set lookup, not a regular expression.
      if (!ENDS.has(event.type)) return;
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
      name: `bench-${++machines}`,
      roleArn: ROLE,
      definition: JSON.stringify(definition),
    })) as { stateMachineArn: string };
    return out.stateMachineArn;
  }

  /** Starts an execution and resolves with its ARN once it has ended (throws unless it succeeded). */
  async run(stateMachineArn: string, input: string): Promise<string> {
    const { executionArn } = (await this.engine.service.dispatch('StartExecution', {
      stateMachineArn,
      input,
    })) as { executionArn: string };
    const status =
      this.ended.get(executionArn) ??
      (await new Promise<string>((resolve) => this.waiters.set(executionArn, resolve)));
    this.ended.delete(executionArn);
    if (status !== 'ExecutionSucceeded') throw new Error(`bench execution ended ${status}: ${executionArn}`);
    return executionArn;
  }

  /** The execution's output (DescribeExecution) and its number of events (GetExecutionHistory). */
  async outcome(executionArn: string): Promise<{ output: unknown; events: number }> {
    const { service } = this.engine;
    const described = (await service.dispatch('DescribeExecution', { executionArn })) as { output?: string };
    let events = 0;
    let nextToken: string | undefined;
    do {
      const page = (await service.dispatch('GetExecutionHistory', {
        executionArn,
        maxResults: 1000,
        nextToken,
      })) as {
        events: unknown[];
        nextToken?: string;
      };
      events += page.events.length;
      nextToken = page.nextToken;
    } while (nextToken);
    return { output: described.output === undefined ? undefined : JSON.parse(described.output), events };
  }
}
