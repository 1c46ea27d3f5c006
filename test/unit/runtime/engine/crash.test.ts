import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localClientConfig } from '../../../../runtime/server/credentials.js';

const main = fileURLToPath(new URL('./fixtures/crash-engine-main.ts', import.meta.url));
const lambdas = fileURLToPath(new URL('./fixtures/lambdas/', import.meta.url));
const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const ROLE = 'arn:aws:iam::123456789012:role/tollgate';
const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** The engine in a child process that the test kills with SIGKILL; its fake clock moves on request. */
class EngineChild {
  private constructor(
    private readonly child: ChildProcess,
    private readonly lines: Interface,
    readonly client: SFNClient,
  ) {}

  static start(dataDir: string, functions: string, calls: string, nowMs: number): Promise<EngineChild> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', main, dataDir, functions, String(nowMs)], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TOLLGATE_CRASH_CALLS: calls },
      });
      let stderr = '';
      child.stderr?.on('data', (chunk) => {
        stderr += chunk;
      });
      const lines = createInterface({ input: child.stdout! });
      const onLine = (line: string) => {
        const match = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
        if (!match) return;
        lines.off('line', onLine);
        const client = new SFNClient({ ...localClientConfig(dataDir, match[1]), maxAttempts: 1 });
        resolve(new EngineChild(child, lines, client));
      };
      lines.on('line', onLine);
      child.once('exit', (code) => reject(new Error(`engine child exited early (${code}): ${stderr}`)));
    });
  }

  /** Moves the child's clock forward; resolves with its new time once the due timers have fired. */
  advance(ms: number): Promise<number> {
    return new Promise((resolve) => {
      const onLine = (line: string) => {
        if (!line.startsWith('at ')) return;
        this.lines.off('line', onLine);
        resolve(Number(line.slice(3)));
      };
      this.lines.on('line', onLine);
      this.child.stdin!.write(`advance ${ms}\n`);
    });
  }

  async kill(): Promise<void> {
    this.client.destroy();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async history(executionArn: string): Promise<HistoryEvent[]> {
    const out = await this.client.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    return out.events ?? [];
  }

  /** Polls (bounded: the child does real fsyncs) until `ready` holds for the history. */
  async historyUntil(
    executionArn: string,
    ready: (events: HistoryEvent[]) => boolean,
  ): Promise<HistoryEvent[]> {
    for (let i = 0; i < 250; i++) {
      const events = await this.history(executionArn);
      if (ready(events)) return events;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(
      `history of ${executionArn} never got there: ${(await this.history(executionArn)).map((e) => e.type).join(',')}`,
    );
  }

  async statusUntil(executionArn: string, status: string) {
    for (let i = 0; i < 250; i++) {
      const described = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status === status) return described;
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.client.send(new DescribeExecutionCommand({ executionArn }));
  }
}

const has = (type: string) => (events: HistoryEvent[]) => events.some((e) => e.type === type);

const PIPELINE = {
  StartAt: 'Pause',
  States: {
    Pause: { Type: 'Wait', Seconds: 60, Next: 'Approve' },
    Approve: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
      ResultPath: '$.approval',
      Next: 'Work',
    },
    Work: { Type: 'Task', Resource: fn('work'), ResultPath: '$.build', Next: 'Fan' },
    Fan: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 1,
      ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: fn('item'), End: true } } },
      ResultPath: '$.fanned',
      End: true,
    },
  },
};

describe('engine crash recovery (real child process, SIGKILL)', () => {
  let dir: string;
  let dataDir: string;
  let functions: string;
  let calls: string;
  let children: EngineChild[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tollgate-crash-'));
    dataDir = join(dir, '.tollgate');
    functions = join(dir, 'functions.json');
    calls = join(dir, 'calls.jsonl');
    children = [];
    await writeFile(
      functions,
      JSON.stringify({
        notify: join(lambdas, 'notify.mjs#handler'),
        work: join(lambdas, 'work.mjs#handler'),
        item: join(lambdas, 'item.mjs#handler'),
      }),
    );
  });

  afterEach(async () => {
    for (const child of children) await child.kill();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(nowMs: number): Promise<EngineChild> {
    const child = await EngineChild.start(dataDir, functions, calls, nowMs);
    children.push(child);
    return child;
  }

  async function callsOf(name: string): Promise<unknown[]> {
    const text = await readFile(calls, 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { fn: string; event: unknown })
      .filter((c) => c.fn === name)
      .map((c) => c.event);
  }

  it('continues one execution across kills during a Wait, a pending token, an in-flight Lambda and a Map', async () => {
    // Arrange
    let now = T0;
    let engine = await start(now);
    const { stateMachineArn } = await engine.client.send(
      new CreateStateMachineCommand({
        name: 'pipeline',
        roleArn: ROLE,
        definition: JSON.stringify(PIPELINE),
      }),
    );
    const { executionArn } = await engine.client.send(
      new StartExecutionCommand({
        stateMachineArn,
        name: 'run-1',
        input: JSON.stringify({ commit: 'abc', items: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] }),
      }),
    );
    const arn = executionArn!;
    const acknowledged: HistoryEvent[][] = [];
    await engine.historyUntil(arn, has('WaitStateEntered'));
    now = await engine.advance(30_000);
    acknowledged.push(await engine.history(arn));

    // Act 1: kill during the Wait, restart 30 s in; the Wait must end at entered + 60 s.
    await engine.kill();
    engine = await start(now);
    now = await engine.advance(29_000);
    const stillWaiting = await engine.history(arn);
    now = await engine.advance(1_000);
    const atApprove = await engine.historyUntil(arn, has('TaskSubmitted'));
    acknowledged.push(atApprove);

    // Act 2: kill while the task token is pending, then use the token on the new process.
    await engine.kill();
    engine = await start(now);
    const scheduled = atApprove.find((e) => e.type === 'TaskScheduled')!;
    const token = JSON.parse(scheduled.taskScheduledEventDetails!.parameters!).Payload.token as string;
    await engine.client.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approver":"bob"}' }));
    acknowledged.push(await engine.historyUntil(arn, has('LambdaFunctionStarted')));
    for (let i = 0; i < 100 && (await callsOf('work')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 20));

    // Act 3: kill while the Lambda is in flight (its first call never returns).
    await engine.kill();
    engine = await start(now);
    acknowledged.push(await engine.historyUntil(arn, has('MapIterationStarted')));
    for (let i = 0; i < 100 && !(await callsOf('item')).some((e) => (e as { n: number }).n === 3); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    acknowledged.push(await engine.history(arn));

    // Act 4: kill mid-Map (items 1 and 2 done, item 3 in flight).
    await engine.kill();
    engine = await start(now);
    const described = await engine.statusUntil(arn, 'SUCCEEDED');
    const final = await engine.history(arn);

    // Assert
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!);
    expect(output.approval).toEqual({ approver: 'bob' });
    expect(output.build).toEqual({ built: 'abc' });
    expect(output.fanned).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }, { doubled: 8 }]);
    // The Wait fired at its original time, not 60 s after the restart.
    expect(stillWaiting.some((e) => e.type === 'WaitStateExited')).toBe(false);
    const entered = final.find((e) => e.type === 'WaitStateEntered')!;
    const exited = final.find((e) => e.type === 'WaitStateExited')!;
    expect(exited.timestamp!.getTime() - entered.timestamp!.getTime()).toBe(60_000);
    // The pending token worked on the new process; the approval was requested once.
    expect(await callsOf('notify')).toHaveLength(1);
    // The in-flight task was invoked again (at-least-once), with the same input.
    expect(await callsOf('work')).toEqual([
      expect.objectContaining({ commit: 'abc' }),
      expect.objectContaining({ commit: 'abc' }),
    ]);
    // The Map resumes each iteration where it was: only item 3, in flight at the kill, runs twice.
    const items = (await callsOf('item')).map((e) => (e as { n: number }).n);
    expect(items.sort()).toEqual([1, 2, 3, 3, 4]);
    expect(final.filter((e) => e.type === 'MapStateStarted')).toHaveLength(1);
    // Every event acknowledged before a kill is still there, unchanged, in the same place.
    for (const before of acknowledged) expect(final.slice(0, before.length)).toEqual(before);
    expect(final.map((e) => e.id)).toEqual(final.map((_, i) => i + 1));
  }, 120_000);

  it('keeps every acknowledged StartExecution when killed while many executions are running', async () => {
    // Arrange
    let engine = await start(T0);
    const { stateMachineArn } = await engine.client.send(
      new CreateStateMachineCommand({
        name: 'chain',
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'A',
          States: {
            A: { Type: 'Pass', Next: 'B' },
            B: { Type: 'Pass', Next: 'Pause' },
            Pause: { Type: 'Wait', Seconds: 5, Next: 'C' },
            C: { Type: 'Pass', End: true },
          },
        }),
      }),
    );
    const started = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        engine.client.send(
          new StartExecutionCommand({ stateMachineArn, name: `r${i}`, input: `{"i":${i}}` }),
        ),
      ),
    );

    // Act: kill at once, with executions anywhere between ExecutionStarted and the Wait.
    await engine.kill();
    engine = await start(T0);
    for (const s of started) await engine.historyUntil(s.executionArn!, has('WaitStateEntered'));
    await engine.advance(5_000);
    const results = await Promise.all(started.map((s) => engine.statusUntil(s.executionArn!, 'SUCCEEDED')));
    const histories = await Promise.all(started.map((s) => engine.history(s.executionArn!)));

    // Assert
    expect(results.map((r) => r.status)).toEqual(started.map(() => 'SUCCEEDED'));
    for (const [i, events] of histories.entries()) {
      expect(events.map((e) => e.type)).toEqual([
        'ExecutionStarted',
        'PassStateEntered',
        'PassStateExited',
        'PassStateEntered',
        'PassStateExited',
        'WaitStateEntered',
        'WaitStateExited',
        'PassStateEntered',
        'PassStateExited',
        'ExecutionSucceeded',
      ]);
      expect(JSON.parse(results[i].output!)).toEqual({ i });
    }
  }, 120_000);
});
