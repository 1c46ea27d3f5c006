import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine, type EngineOptions } from '../../../../runtime/engine/engine.js';
import {
  type LocalHandler,
  ObjectLambdaInvoker,
} from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import type { EngineStore } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';

export const ROLE = 'arn:aws:iam::123456789012:role/test-role';

/** A real engine on a fake clock and an in-memory store, driven through its API. */
export class EngineHarness {
  readonly clock: FakeEngineClock;
  readonly store: EngineStore;
  readonly engine: Engine;

  constructor(
    options: {
      handlers?: Record<string, LocalHandler>;
      store?: EngineStore;
      clock?: FakeEngineClock;
      compaction?: EngineOptions['compaction'];
      objects?: EngineOptions['objects'];
    } = {},
  ) {
    this.clock = options.clock ?? new FakeEngineClock('2026-01-01T00:00:00.000Z');
    this.store = options.store ?? new MemoryStore();
    this.engine = createEngine({
      store: this.store,
      clock: this.clock,
      lambda: new ObjectLambdaInvoker(options.handlers ?? {}),
      compaction: options.compaction,
      objects: options.objects,
    });
  }

  call<T = Record<string, unknown>>(op: string, body: unknown): Promise<T> {
    return this.engine.service.dispatch(op, body) as Promise<T>;
  }

  async createStateMachine(definition: unknown, name = 'sm'): Promise<string> {
    const out = await this.call<{ stateMachineArn: string }>('CreateStateMachine', {
      name,
      definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
      roleArn: ROLE,
    });
    return out.stateMachineArn;
  }

  async start(stateMachineArn: string, input: unknown = {}, name?: string): Promise<string> {
    const out = await this.call<{ executionArn: string }>('StartExecution', {
      stateMachineArn,
      input: typeof input === 'string' ? input : JSON.stringify(input),
      ...(name ? { name } : {}),
    });
    return out.executionArn;
  }

  /**
   * Lets queued work run: promise chains, and the file store's fsyncs (real I/O, so a few short
   * real waits). Engine time never moves here; only the fake clock moves it.
   */
  async settle(): Promise<void> {
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
    if (this.durable) for (let i = 0; i < 25; i++) await new Promise((r) => setTimeout(r, 2));
  }

  private get durable(): boolean {
    return !(this.store instanceof MemoryStore);
  }

  async describe(executionArn: string) {
    await this.settle();
    return this.call<{ status: string; output?: string; error?: string; cause?: string }>(
      'DescribeExecution',
      {
        executionArn,
      },
    );
  }

  /**
   * Polls until the execution reaches `status` (bounded real wait for the file store's fsyncs on a
   * loaded machine); returns the last DescribeExecution either way so the assertion shows it.
   */
  async until(executionArn: string, status: string) {
    let described = await this.describe(executionArn);
    for (let i = 0; i < 100 && described.status !== status; i++) {
      await new Promise((r) => setTimeout(r, 20));
      described = await this.describe(executionArn);
    }
    return described;
  }

  /** Polls (bounded) until an event of `type` is in the history. */
  async untilEvent(executionArn: string, type: string): Promise<void> {
    await this.settle();
    for (let i = 0; i < 100; i++) {
      if ((await this.history(executionArn)).some((e) => e.type === type)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no ${type} event in ${executionArn}`);
  }

  async history(executionArn: string) {
    const out = await this.call<{ events: Array<Record<string, unknown> & { type: string }> }>(
      'GetExecutionHistory',
      {
        executionArn,
        maxResults: 1000,
      },
    );
    return out.events;
  }

  /** The token of the first TaskScheduled whose parameters carry `$$.Task.Token` as `token`. */
  async tokenOf(executionArn: string): Promise<string> {
    await this.untilEvent(executionArn, 'TaskScheduled');
    const scheduled = (await this.history(executionArn)).find((e) => e.type === 'TaskScheduled');
    if (!scheduled) throw new Error(`no TaskScheduled event in ${executionArn}`);
    const params = JSON.parse((scheduled.taskScheduledEventDetails as { parameters: string }).parameters);
    return params.Payload.token as string;
  }
}
