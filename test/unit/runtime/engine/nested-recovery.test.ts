import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import type { LocalHandler } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import type { EngineStore, StoreRecord } from '../../../../runtime/store/engine-store.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { EngineHarness } from './engine-harness.js';

const T0 = '2026-01-01T00:00:00.000Z';
const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** Every call a handler received, as `<name>:<JSON input>`. */
type CallLog = string[];

/**
 * Map (one at a time) → Parallel (one branch) → Map (one at a time) → Task, with a Retry, a Wait,
 * a task token, a Choice and a Catch inside the outer iterations: every kind of nested progress.
 * No concurrency, so the uninterrupted run records one exact history to compare with.
 */
const NESTED = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Task', Resource: fn('prep'), ResultPath: '$.prep', Next: 'Envs' },
    Envs: {
      Type: 'Map',
      ItemsPath: '$.envs',
      MaxConcurrency: 1,
      ItemProcessor: {
        StartAt: 'Enter',
        States: {
          Enter: { Type: 'Pass', Assign: { 'env.$': '$' }, Next: 'Work' },
          Work: {
            Type: 'Task',
            Resource: fn('work'),
            Parameters: { 'name.$': '$.name', 'attempt.$': '$$.State.RetryCount' },
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 5, MaxAttempts: 1 }],
            ResultPath: '$.work',
            Next: 'Pause',
          },
          Pause: { Type: 'Wait', Seconds: 30, Next: 'Gate' },
          Gate: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
            Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'env.$': '$env' } },
            ResultPath: '$.gate',
            Next: 'Fan',
          },
          Fan: {
            Type: 'Parallel',
            Branches: [
              {
                StartAt: 'Rows',
                States: {
                  Rows: {
                    Type: 'Map',
                    ItemsPath: '$.rows',
                    MaxConcurrency: 1,
                    ItemProcessor: {
                      StartAt: 'Row',
                      States: { Row: { Type: 'Task', Resource: fn('row'), End: true } },
                    },
                    End: true,
                  },
                },
              },
            ],
            ResultPath: '$.fan',
            Next: 'Check',
          },
          Check: {
            Type: 'Choice',
            Choices: [{ Variable: '$.gate.ok', BooleanEquals: true, Next: 'Risky' }],
            Default: 'Skipped',
          },
          Risky: {
            Type: 'Task',
            Resource: fn('risky'),
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.caught', Next: 'Done' }],
            Next: 'Done',
          },
          Skipped: { Type: 'Pass', Next: 'Done' },
          Done: { Type: 'Pass', Parameters: { 'env.$': '$env', 'rows.$': '$.fan[0]' }, End: true },
        },
      },
      ResultPath: '$.envs',
      Next: 'Finish',
    },
    Finish: { Type: 'Task', Resource: fn('fin'), End: true },
  },
};

const NESTED_INPUT = {
  envs: [
    { name: 'test', rows: [1, 2] },
    { name: 'prod', rows: [3] },
  ],
};

/** Deterministic handlers; `work` fails its first attempt so the Retry runs. */
function handlers(calls: CallLog): Record<string, LocalHandler> {
  const log = (name: string, event: unknown) => calls.push(`${name}:${JSON.stringify(event)}`);
  return {
    prep: (e) => {
      log('prep', e);
      return { prepared: true };
    },
    work: (e) => {
      log('work', e);
      const { name, attempt } = e as { name: string; attempt: number };
      if (attempt === 0) throw failure('Flaky', 'try again');
      return { worked: name };
    },
    notify: (e) => {
      log('notify', { env: (e as { env: unknown }).env });
      return {};
    },
    row: (e) => {
      log('row', e);
      return (e as number) * 10;
    },
    risky: (e) => {
      log('risky', (e as { name: string }).name);
      throw failure('Risky', 'boom');
    },
    fin: (e) => {
      log('fin', (e as { envs: unknown }).envs);
      return { finished: true };
    },
  };
}

/** An error whose text does not depend on the call stack, so two runs record the same cause. */
function failure(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, stack: `${name}: ${message}` });
}

/** A store that keeps the first `limit` records and then never answers: a process killed there. */
function dyingStore(inner: MemoryStore, limit: number): EngineStore {
  let kept = 0;
  return {
    append: (records: readonly StoreRecord[]) => {
      if (kept + records.length > limit) {
        const head = records.slice(0, Math.max(0, limit - kept));
        kept = limit;
        if (head.length > 0) void inner.append(head);
        return new Promise(() => {});
      }
      kept += records.length;
      return inner.append(records);
    },
    replay: () => inner.replay(),
    compact: () => new Promise(() => {}),
    close: async () => undefined,
  };
}

/**
 * Moves the run on until it ends or is stuck: answers every approval request that went out with a
 * success, fires due timers one at a time. Returns the tokens it answered.
 */
async function drive(h: EngineHarness, exec: string, answered: Set<string>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await h.settle();
    const d = await h.call<{ status: string }>('DescribeExecution', { executionArn: exec });
    if (d.status !== 'RUNNING') return;
    const events = await h.history(exec);
    const tokens = events
      .filter((e) => e.type === 'TaskScheduled')
      .map(
        (e) => JSON.parse((e.taskScheduledEventDetails as { parameters: string }).parameters).Payload.token,
      )
      .filter((t: string) => !answered.has(t));
    const submitted = events.filter((e) => e.type === 'TaskSubmitted').length;
    const sent = events.filter((e) => e.type === 'TaskScheduled').length;
    if (tokens.length > 0 && submitted === sent) {
      for (const token of tokens) {
        answered.add(token);
        // Not awaited: on a killed engine the answer is never acknowledged, as on a dead process.
        h.call('SendTaskSuccess', { taskToken: token, output: JSON.stringify({ ok: true }) }).catch(() => {});
      }
      continue;
    }
    const next = h.clock.nextTimerAt();
    if (next === undefined) {
      if (i > 3) return;
      continue;
    }
    h.clock.advanceTo(next);
  }
}

interface RunResult {
  readonly status: string;
  readonly output?: string;
  readonly history: Array<Record<string, unknown>>;
  readonly calls: CallLog;
}

/** One uninterrupted run, or (with `cut`) a run killed after `cut` records and restarted. */
async function run(definition: unknown, input: unknown, cut?: number): Promise<RunResult> {
  const calls: CallLog = [];
  const fns = handlers(calls);
  const inner = new MemoryStore();
  const answered = new Set<string>();
  const first = new EngineHarness({
    store: cut === undefined ? inner : dyingStore(inner, cut),
    clock: new FakeEngineClock(T0),
    handlers: fns,
  });
  await first.engine.start();
  const sm = await first.createStateMachine(definition);
  const exec = await first.start(sm, input, 'run');
  await drive(first, exec, answered);
  let last = first;
  if (cut !== undefined) {
    last = new EngineHarness({ store: inner, clock: new FakeEngineClock(first.clock.now()), handlers: fns });
    await last.engine.start();
    // The approver sends again after the restart: a send to the dead process may never have landed.
    await drive(last, exec, new Set());
  }
  const d = await last.call<{ status: string; output?: string }>('DescribeExecution', { executionArn: exec });
  return { status: d.status, output: d.output, history: comparable(await last.history(exec)), calls };
}

/**
 * The history without what legitimately differs between two runs: timestamps (a restart happens
 * later than the kill) and the random task tokens (each run issues its own).
 */
function comparable(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  return events.map(({ timestamp: _t, ...event }) =>
    JSON.parse(
      JSON.stringify(event)
        .replace(/tgt1[A-Za-z0-9_-]{43}/g, '<token>')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<request id>')
        .replace(/Root=1-[0-9a-f]{8}-[0-9a-f]{24}/g, '<trace id>')
        .replace(/[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} [\d:]{8} GMT/g, '<http date>'),
    ),
  );
}

async function recordCount(definition: unknown, input: unknown): Promise<number> {
  const store = new MemoryStore();
  const h = new EngineHarness({ store, clock: new FakeEngineClock(T0), handlers: handlers([]) });
  await h.engine.start();
  await drive(h, await h.start(await h.createStateMachine(definition), input, 'run'), new Set());
  let n = 0;
  for await (const _ of store.replay()) n += 1;
  return n;
}

describe('engine recovery inside Map and Parallel', () => {
  it('ends every run killed after any record exactly as the uninterrupted run, history included', async () => {
    // Arrange
    const reference = await run(NESTED, NESTED_INPUT);
    const records = await recordCount(NESTED, NESTED_INPUT);
    expect(reference.status).toBe('SUCCEEDED');

    for (let cut = 2; cut < records; cut++) {
      // Act
      const resumed = await run(NESTED, NESTED_INPUT, cut);

      // Assert
      const where = `killed after record ${cut} of ${records}`;
      expect(resumed.status, where).toBe(reference.status);
      expect(resumed.output, where).toBe(reference.output);
      expect(resumed.history, where).toEqual(reference.history);
      // Nothing that had finished ran again: at most the one call in flight at the kill repeats.
      const repeats = resumed.calls.length - reference.calls.length;
      expect(repeats, `${where}: ${resumed.calls.join(' | ')}`).toBeLessThanOrEqual(1);
      expect(new Set(resumed.calls), where).toEqual(new Set(reference.calls));
    }
  }, 240_000);

  it('fires a Wait inside an iteration at its original due time after a restart', async () => {
    // Arrange
    const store = new MemoryStore();
    const first = new EngineHarness({ store, clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Pause',
            States: { Pause: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Pass', End: true } },
          },
          End: true,
        },
      },
    });
    const exec = await first.start(sm, { items: ['a'] });
    await first.untilEvent(exec, 'WaitStateEntered');
    first.clock.advance(30_000);

    // Act: a new engine on the same store, 30 s into the Wait.
    const second = new EngineHarness({ store, clock: new FakeEngineClock(first.clock.now()) });
    await second.engine.start();
    await second.settle();
    second.clock.advance(29_000);
    const before = await second.describe(exec);
    second.clock.advance(1_000);
    const after = await second.until(exec, 'SUCCEEDED');

    // Assert
    expect(before.status).toBe('RUNNING');
    expect(after.status).toBe('SUCCEEDED');
    const events = await second.history(exec);
    const entered = events.find((e) => e.type === 'WaitStateEntered')!;
    const exited = events.find((e) => e.type === 'WaitStateExited')!;
    // The API gives timestamps in seconds.
    expect(Number(exited.timestamp) - Number(entered.timestamp)).toBe(60);
    expect(events.filter((e) => e.type === 'MapStateStarted')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'MapIterationStarted')).toHaveLength(1);
  });

  it('resumes concurrent iterations and branches each at its own state, calling finished work once', async () => {
    // Arrange: three items at once, each a Parallel of two branches; `slow` never returns on the first engine.
    const calls: string[] = [];
    const store = new MemoryStore();
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 3,
          ItemProcessor: {
            StartAt: 'Both',
            States: {
              Both: {
                Type: 'Parallel',
                Branches: [
                  { StartAt: 'Fast', States: { Fast: { Type: 'Task', Resource: fn('fast'), End: true } } },
                  { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: fn('slow'), End: true } } },
                ],
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };
    const first = new EngineHarness({
      store,
      clock: new FakeEngineClock(T0),
      handlers: {
        fast: (e) => {
          calls.push(`fast:${e}`);
          return `fast-${e}`;
        },
        slow: (e) => {
          calls.push(`slow:${e}`);
          return e === 2 ? new Promise(() => {}) : `slow-${e}`;
        },
      },
    });
    await first.engine.start();
    const exec = await first.start(await first.createStateMachine(definition), { items: [1, 2, 3] });
    await first.settle();

    // Act
    const second = new EngineHarness({
      store,
      clock: new FakeEngineClock(first.clock.now()),
      handlers: {
        fast: (e) => {
          calls.push(`fast:${e}`);
          return `fast-${e}`;
        },
        slow: (e) => {
          calls.push(`slow:${e}`);
          return `slow-${e}`;
        },
      },
    });
    await second.engine.start();
    const done = await second.until(exec, 'SUCCEEDED');

    // Assert
    expect(JSON.parse(done.output!)).toEqual([
      ['fast-1', 'slow-1'],
      ['fast-2', 'slow-2'],
      ['fast-3', 'slow-3'],
    ]);
    expect(calls.sort()).toEqual(['fast:1', 'fast:2', 'fast:3', 'slow:1', 'slow:2', 'slow:2', 'slow:3']);
    const types = (await second.history(exec)).map((e) => e.type);
    expect(types.filter((t) => t === 'MapStateStarted')).toHaveLength(1);
    expect(types.filter((t) => t === 'ParallelStateStarted')).toHaveLength(3);
    expect(types.filter((t) => t === 'LambdaFunctionScheduled')).toHaveLength(6);
    expect(types.filter((t) => t === 'LambdaFunctionSucceeded')).toHaveLength(6);
  });

  it('fails the execution with one clear States.Runtime error when the log cannot be replayed', async () => {
    // Arrange: a log whose history does not fit the definition (a Pass where the definition has a Wait).
    const store = new MemoryStore();
    const first = new EngineHarness({ store, clock: new FakeEngineClock(T0) });
    await first.engine.start();
    const sm = await first.createStateMachine({
      StartAt: 'Pause',
      States: { Pause: { Type: 'Wait', Seconds: 60, End: true } },
    });
    const exec = await first.start(sm, {}, 'run');
    await first.untilEvent(exec, 'WaitStateEntered');
    const records: StoreRecord[] = [];
    for await (const r of store.replay()) records.push(r);
    const forged = records.map((r) =>
      (r.t === 'ev' || r.t === 'evs') && JSON.stringify(r).includes('WaitStateEntered')
        ? JSON.parse(JSON.stringify(r).replace('WaitStateEntered', 'PassStateEntered'))
        : r,
    );
    const damaged = new MemoryStore();
    await damaged.append(forged);

    // Act
    const second = new EngineHarness({ store: damaged, clock: new FakeEngineClock(T0) });
    await second.engine.start();
    const described = await second.until(exec, 'FAILED');

    // Assert
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toBe(
      'Recovery could not replay the history: event 2 is PassStateEntered, but the execution produced WaitStateEntered there',
    );
  });
});
