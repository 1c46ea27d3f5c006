import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { ROLE } from './engine-harness.js';

/**
 * A fake clock whose time moves one millisecond at every read, so a history shows which events
 * share a clock read and which read it afresh.
 */
class TickingClock extends FakeEngineClock {
  private reads = 0;

  override now(): number {
    this.reads += 1;
    return super.now() + this.reads;
  }
}

type Event = { type: string; timestamp: number };

async function call<T = Record<string, unknown>>(engine: Engine, op: string, body: unknown): Promise<T> {
  return (await engine.service.dispatch(op, body)) as T;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(['memory', 'durable'] as const)('state entry and exit times (%s mode)', (mode) => {
  async function run(
    definition: unknown,
    handlers: ConstructorParameters<typeof ObjectLambdaInvoker>[0] = {},
  ) {
    const engine = createEngine({
      store: mode === 'durable' ? new MemoryStore() : undefined,
      clock: new TickingClock('2026-01-01T00:00:00.000Z'),
      lambda: new ObjectLambdaInvoker(handlers),
    });
    await engine.start();
    const { stateMachineArn } = await call<{ stateMachineArn: string }>(engine, 'CreateStateMachine', {
      name: 'timed',
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    });
    const { executionArn } = await call<{ executionArn: string }>(engine, 'StartExecution', {
      stateMachineArn,
      input: '{}',
    });
    let status = 'RUNNING';
    for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
      await turn();
      status = (await call<{ status: string }>(engine, 'DescribeExecution', { executionArn })).status;
    }
    const { events } = await call<{ events: Event[] }>(engine, 'GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
    });
    await engine.close();
    return { status, events };
  }

  const ms = (event: Event | undefined) => Math.round((event?.timestamp ?? Number.NaN) * 1000);

  it('enters each state of a chain at the time the state before it exited', async () => {
    // Arrange: three Pass states, which run one after another with nothing in between.
    const chain = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Pass', Next: 'C' },
        C: { Type: 'Pass', End: true },
      },
    };

    // Act
    const { status, events } = await run(chain);

    // Assert: one clock read per state boundary; an exit is read afresh after its entry.
    expect(status).toBe('SUCCEEDED');
    const at = (type: string, nth: number) => events.filter((e) => e.type === type)[nth];
    for (const nth of [0, 1]) {
      expect(ms(at('PassStateEntered', nth + 1))).toBe(ms(at('PassStateExited', nth)));
    }
    for (const nth of [0, 1, 2]) {
      expect(ms(at('PassStateExited', nth))).toBeGreaterThan(ms(at('PassStateEntered', nth)));
    }
  });

  it('reads the clock again for a state entered after one that had to be waited for', async () => {
    // Arrange: a Lambda task (awaited: other work may run meanwhile), then a Pass.
    const definition = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:echo',
          Next: 'After',
        },
        After: { Type: 'Pass', End: true },
      },
    };

    // Act
    const { status, events } = await run(definition, { echo: (input: unknown) => input });

    // Assert
    expect(status).toBe('SUCCEEDED');
    const exited = events.find((e) => e.type === 'TaskStateExited');
    const entered = events.find((e) => e.type === 'PassStateEntered');
    expect(ms(entered)).toBeGreaterThan(ms(exited));
  });
});
