import { afterEach, describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

const WAIT = {
  StartAt: 'W',
  States: { W: { Type: 'Wait', Seconds: 100, End: true } },
};

describe('engine API semantics', () => {
  let h: EngineHarness;

  afterEach(async () => {
    await h.engine.close();
  });

  async function harness(handlers = {}) {
    h = new EngineHarness({ handlers });
    await h.engine.start();
    return h;
  }

  it('returns the same execution when started twice with the same name and input', async () => {
    // Arrange
    await harness();
    const sm = await h.createStateMachine(WAIT);
    const first = await h.start(sm, { a: 1 }, 'run-1');

    // Act
    const again = await h.start(sm, { a: 1 }, 'run-1');
    const different = h.start(sm, { a: 2 }, 'run-1');

    // Assert
    expect(again).toBe(first);
    await expect(different).rejects.toMatchObject({ code: 'ExecutionAlreadyExists' });
  });

  it('filters ListExecutions by status and pages with nextToken, newest first', async () => {
    // Arrange
    await harness();
    const sm = await h.createStateMachine(WAIT);
    for (let i = 0; i < 3; i++) {
      await h.start(sm, {}, `e${i}`);
      h.clock.advance(1_000);
    }
    await h.call('StopExecution', { executionArn: sm.replace(':stateMachine:', ':execution:') + ':e1' });

    // Act
    const page1 = await h.call<{ executions: Array<{ name: string }>; nextToken?: string }>(
      'ListExecutions',
      {
        stateMachineArn: sm,
        maxResults: 1,
      },
    );
    const page2 = await h.call<{ executions: Array<{ name: string }>; nextToken?: string }>(
      'ListExecutions',
      {
        stateMachineArn: sm,
        maxResults: 5,
        nextToken: page1.nextToken,
      },
    );
    const running = await h.call<{ executions: Array<{ name: string }> }>('ListExecutions', {
      stateMachineArn: sm,
      statusFilter: 'RUNNING',
    });

    // Assert
    expect(page1.executions.map((e) => e.name)).toEqual(['e2']);
    expect(page2.executions.map((e) => e.name)).toEqual(['e1', 'e0']);
    expect(page2.nextToken).toBeUndefined();
    expect(running.executions.map((e) => e.name)).toEqual(['e2', 'e0']);
  });

  it('pages GetExecutionHistory and reverses it on request', async () => {
    // Arrange
    await harness();
    const sm = await h.createStateMachine({
      StartAt: 'A',
      States: { A: { Type: 'Pass', Next: 'B' }, B: { Type: 'Pass', End: true } },
    });
    const exec = await h.start(sm);
    await h.describe(exec);

    // Act
    const first = await h.call<{ events: Array<{ id: number }>; nextToken?: string }>('GetExecutionHistory', {
      executionArn: exec,
      maxResults: 4,
    });
    const rest = await h.call<{ events: Array<{ id: number }>; nextToken?: string }>('GetExecutionHistory', {
      executionArn: exec,
      maxResults: 4,
      nextToken: first.nextToken,
    });
    const reversed = await h.call<{ events: Array<{ id: number }> }>('GetExecutionHistory', {
      executionArn: exec,
      reverseOrder: true,
    });

    // Assert
    expect(first.events.map((e) => e.id)).toEqual([1, 2, 3, 4]);
    expect(rest.events.map((e) => e.id)).toEqual([5, 6]);
    expect(reversed.events.map((e) => e.id)).toEqual([6, 5, 4, 3, 2, 1]);
  });

  it('aborts a running execution on StopExecution and records ExecutionAborted', async () => {
    // Arrange
    await harness();
    const exec = await h.start(await h.createStateMachine(WAIT));
    await h.settle();

    // Act
    await h.call('StopExecution', { executionArn: exec, error: 'Halt', cause: 'operator' });
    h.clock.advance(200_000);

    // Assert
    expect(await h.describe(exec)).toMatchObject({ status: 'ABORTED', error: 'Halt', cause: 'operator' });
    const types = (await h.history(exec)).map((e) => e.type);
    expect(types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
  });

  it('times the execution out at the top-level TimeoutSeconds', async () => {
    // Arrange
    await harness();
    const exec = await h.start(await h.createStateMachine({ ...WAIT, TimeoutSeconds: 10 }));
    await h.settle();

    // Act
    h.clock.advance(10_000);

    // Assert
    expect(await h.describe(exec)).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect((await h.history(exec)).at(-1)?.type).toBe('ExecutionTimedOut');
  });

  it('retries with IntervalSeconds × BackoffRate on the clock, then succeeds', async () => {
    // Arrange
    let calls = 0;
    await harness({
      flaky: () => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error('try again'), { name: 'Busy' });
        return { calls };
      },
    });
    const exec = await h.start(
      await h.createStateMachine({
        StartAt: 'T',
        States: {
          T: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:us-east-1:123456789012:function:flaky',
            Retry: [{ ErrorEquals: ['Busy'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 5 }],
            End: true,
          },
        },
      }),
    );
    await h.settle();

    // Act / Assert: first retry after 2 s, second after 6 s more.
    expect(calls).toBe(1);
    h.clock.advance(1_999);
    await h.settle();
    expect(calls).toBe(1);
    h.clock.advance(1);
    await h.settle();
    expect(calls).toBe(2);
    h.clock.advance(6_000);
    expect(await h.describe(exec)).toMatchObject({ status: 'SUCCEEDED', output: '{"calls":3}' });
  });

  it('fails with States.DataLimitExceeded when a state output exceeds 256 KiB', async () => {
    // Arrange
    await harness();
    const exec = await h.start(
      await h.createStateMachine({
        StartAt: 'Big',
        States: { Big: { Type: 'Pass', Result: 'x'.repeat(262_144), End: true } },
      }),
    );

    // Act
    const described = await h.describe(exec);

    // Assert
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
  });

  it('fails at run time for a service integration no one registered', async () => {
    // Arrange
    await harness();
    const exec = await h.start(
      await h.createStateMachine({
        StartAt: 'T',
        States: { T: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
      }),
    );

    // Act
    const described = await h.describe(exec);

    // Assert
    expect(described.status).toBe('FAILED');
    expect(described.cause).toContain('arn:aws:states:::sqs:sendMessage');
  });

  it('redrives a failed execution from the failed state without re-running the steps that succeeded', async () => {
    // Arrange
    const seen: string[] = [];
    let fail = true;
    await harness({
      first: (e: unknown) => {
        seen.push('first');
        return e;
      },
      second: (e: unknown) => {
        seen.push('second');
        if (fail) throw new Error('boom');
        return { ...(e as object), done: true };
      },
    });
    const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
    const exec = await h.start(
      await h.createStateMachine({
        StartAt: 'One',
        States: {
          One: { Type: 'Task', Resource: fn('first'), Next: 'Two' },
          Two: { Type: 'Task', Resource: fn('second'), End: true },
        },
      }),
      { n: 1 },
    );
    expect((await h.describe(exec)).status).toBe('FAILED');
    fail = false;

    // Act
    await h.call('RedriveExecution', { executionArn: exec });

    // Assert
    const described = await h.describe(exec);
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(JSON.parse(described.output!)).toEqual({ n: 1, done: true });
    expect(seen).toEqual(['first', 'second', 'second']);
    expect((await h.history(exec)).map((e) => e.type)).toContain('ExecutionRedriven');
    await expect(h.call('RedriveExecution', { executionArn: exec })).rejects.toMatchObject({
      code: 'ExecutionNotRedrivable',
    });
  });

  it('notifies onEvent listeners of every event as it is recorded', async () => {
    // Arrange
    await harness();
    const seen: string[] = [];
    const off = h.engine.onEvent((_arn, event) => seen.push(event.type));
    const exec = await h.start(
      await h.createStateMachine({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
    );

    // Act
    await h.describe(exec);
    off();

    // Assert
    expect(seen).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });
});

describe('engine API semantics after a stop', () => {
  it('records nothing from a task that finishes after its execution was stopped', async () => {
    // Arrange
    let finish: (v: unknown) => void = () => {};
    const h = new EngineHarness({ handlers: { slow: () => new Promise((r) => (finish = r)) } });
    await h.engine.start();
    const exec = await h.start(
      await h.createStateMachine({
        StartAt: 'T',
        States: {
          T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:slow', End: true },
        },
      }),
    );
    await h.settle();
    await h.call('StopExecution', { executionArn: exec });
    const before = await h.history(exec);

    // Act
    finish({ late: true });
    await h.settle();

    // Assert
    expect(await h.history(exec)).toEqual(before);
    expect(before.at(-1)?.type).toBe('ExecutionAborted');
    expect((await h.describe(exec)).status).toBe('ABORTED');
    await h.engine.close();
  });
});
