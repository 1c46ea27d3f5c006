import { describe, expect, it } from 'vitest';
import { EngineHarness } from './engine-harness.js';

const FN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const never = () => new Promise(() => {});

function types(events: Array<{ type: string }>): string[] {
  return events.map((e) => e.type);
}

describe('Parallel and Map TimeoutSeconds, sibling branches', () => {
  it('stops the sibling branches when one branch fails, before the Catch applies', async () => {
    // Arrange
    const calls: string[] = [];
    const h = new EngineHarness({
      handlers: {
        slow: () => {
          calls.push('slow');
          return never();
        },
        boom: () => {
          throw Object.assign(new Error('kaput'), { name: 'Boom' });
        },
      },
    });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: FN('slow'), End: true } } },
            {
              StartAt: 'Pause',
              States: {
                Pause: { Type: 'Wait', Seconds: 10, Next: 'Boom' },
                Boom: { Type: 'Task', Resource: FN('boom'), End: true },
              },
            },
            {
              StartAt: 'Long',
              States: {
                Long: { Type: 'Wait', Seconds: 3600, Next: 'After' },
                After: { Type: 'Pass', End: true },
              },
            },
          ],
          Catch: [{ ErrorEquals: ['Boom'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });

    // Act
    const exec = await h.start(sm);
    await h.untilEvent(exec, 'LambdaFunctionStarted');
    h.clock.advance(10_000);
    const described = await h.until(exec, 'SUCCEEDED');
    const events = await h.history(exec);

    // Assert
    expect(JSON.parse(described.output ?? 'null')).toMatchObject({ Error: 'Boom' });
    const kinds = types(events);
    // The stuck Task in the first branch is aborted, the waiting third branch never goes on.
    expect(kinds.filter((t) => t === 'TaskStateAborted')).toHaveLength(2);
    const entered = events.map((e) => (e.stateEnteredEventDetails as { name?: string } | undefined)?.name);
    expect(entered).not.toContain('After');
    expect(kinds.indexOf('ParallelStateFailed')).toBeGreaterThan(kinds.lastIndexOf('TaskStateAborted'));
    expect(kinds.indexOf('ParallelStateFailed')).toBeLessThan(kinds.indexOf('ParallelStateExited'));
    expect(kinds).not.toContain('LambdaFunctionSucceeded');
    expect(calls).toEqual(['slow']);
    expect(h.clock.now()).toBe(Date.parse('2026-01-01T00:00:10.000Z'));
  });

  it('fails a Parallel with States.Timeout after TimeoutSeconds and hands Cause "" to its Catch', async () => {
    // Arrange
    const h = new EngineHarness({ handlers: { slow: never } });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          TimeoutSeconds: 30,
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: FN('slow'), End: true } } },
            { StartAt: 'Quick', States: { Quick: { Type: 'Pass', End: true } } },
          ],
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    });

    // Act
    const exec = await h.start(sm);
    await h.untilEvent(exec, 'LambdaFunctionStarted');
    h.clock.advance(29_999);
    const before = await h.describe(exec);
    h.clock.advance(1);
    const described = await h.until(exec, 'SUCCEEDED');
    const kinds = types(await h.history(exec));

    // Assert
    expect(before.status).toBe('RUNNING');
    expect(JSON.parse(described.output ?? 'null')).toEqual({ Error: 'States.Timeout', Cause: '' });
    expect(kinds).toContain('TaskStateAborted');
    expect(kinds.indexOf('ParallelStateFailed')).toBeGreaterThan(kinds.indexOf('TaskStateAborted'));
  });

  it('retries a timed-out Parallel, each attempt with its own deadline', async () => {
    // Arrange
    let attempts = 0;
    const h = new EngineHarness({
      handlers: {
        slow: () => {
          attempts += 1;
          return attempts === 1 ? never() : { ok: attempts };
        },
      },
    });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          TimeoutSeconds: 5,
          Branches: [
            { StartAt: 'Slow', States: { Slow: { Type: 'Task', Resource: FN('slow'), End: true } } },
          ],
          Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1 }],
          End: true,
        },
      },
    });

    // Act
    const exec = await h.start(sm);
    await h.untilEvent(exec, 'LambdaFunctionStarted');
    h.clock.advance(5_000);
    await h.settle();
    h.clock.advance(1_000);
    const described = await h.until(exec, 'SUCCEEDED');

    // Assert
    expect(JSON.parse(described.output ?? 'null')).toEqual([{ ok: 2 }]);
  });

  it('fails an inline Map with States.Timeout, aborting the iterations still running', async () => {
    // Arrange
    const h = new EngineHarness({ handlers: { slow: never } });
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          TimeoutSeconds: 60,
          MaxConcurrency: 2,
          ItemProcessor: {
            StartAt: 'Slow',
            States: { Slow: { Type: 'Task', Resource: FN('slow'), End: true } },
          },
          End: true,
        },
      },
    });

    // Act
    const exec = await h.start(sm, [1, 2, 3]);
    await h.untilEvent(exec, 'LambdaFunctionStarted');
    h.clock.advance(60_000);
    const described = await h.until(exec, 'FAILED');
    const kinds = types(await h.history(exec));

    // Assert
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(kinds.filter((t) => t === 'MapIterationStarted')).toHaveLength(2);
    expect(kinds.filter((t) => t === 'MapIterationAborted')).toHaveLength(2);
    expect(kinds.filter((t) => t === 'TaskStateAborted')).toHaveLength(2);
    expect(kinds.slice(-2)).toEqual(['MapStateFailed', 'ExecutionFailed']);
  });

  it('refuses a TimeoutSecondsPath that is not a positive integer as a runtime error', async () => {
    // Arrange
    const h = new EngineHarness();
    await h.engine.start();
    const sm = await h.createStateMachine({
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          TimeoutSecondsPath: '$.t',
          Branches: [{ StartAt: 'Quick', States: { Quick: { Type: 'Pass', End: true } } }],
          End: true,
        },
      },
    });

    // Act
    const described = await h.until(await h.start(sm, { t: -1 }), 'FAILED');

    // Assert
    expect(described.error).toBe('States.Runtime');
    expect(described.cause).toContain(
      'The TimeoutSecondsPath field refers to value -1 which is not a valid positive integer: $.t',
    );
  });
});
