import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { ROLE } from './engine-harness.js';

/** A chain of `length` Pass states: each finishes without waiting, so they run inline. */
function passChain(length: number) {
  const States: Record<string, unknown> = {};
  for (let i = 0; i < length; i++) {
    States[`S${i}`] = i === length - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` };
  }
  return { StartAt: 'S0', States };
}

type Event = { id: number; previousEventId: number; type: string };

async function call<T = Record<string, unknown>>(engine: Engine, op: string, body: unknown): Promise<T> {
  return (await engine.service.dispatch(op, body)) as T;
}

async function historyOf(engine: Engine, executionArn: string): Promise<Event[]> {
  const events: Event[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call<{ events: Event[]; nextToken?: string }>(engine, 'GetExecutionHistory', {
      executionArn,
      maxResults: 1000,
      nextToken,
    });
    events.push(...page.events);
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe.each(['memory', 'durable'] as const)('states that finish without waiting (%s mode)', (mode) => {
  async function startEngine(): Promise<Engine> {
    const engine = createEngine({
      store: mode === 'durable' ? new MemoryStore() : undefined,
      clock: new FakeEngineClock('2026-01-01T00:00:00.000Z'),
      lambda: new ObjectLambdaInvoker({}),
    });
    await engine.start();
    return engine;
  }

  async function startChain(engine: Engine, length: number): Promise<string> {
    const { stateMachineArn } = await call<{ stateMachineArn: string }>(engine, 'CreateStateMachine', {
      name: 'chain',
      definition: JSON.stringify(passChain(length)),
      roleArn: ROLE,
    });
    const { executionArn } = await call<{ executionArn: string }>(engine, 'StartExecution', {
      stateMachineArn,
      input: '{"k":1}',
    });
    return executionArn;
  }

  it('lets the event loop turn inside a long chain, so a StopExecution lands mid-chain', async () => {
    // Arrange
    const engine = await startEngine();
    const executionArn = await startChain(engine, 5000);

    // Act: one turn of the event loop, then stop; a chain run without yielding would be over.
    await turn();
    await call(engine, 'StopExecution', { executionArn, error: 'Halt' });
    for (let i = 0; i < 10; i++) await turn();
    const described = await call<{ status: string }>(engine, 'DescribeExecution', { executionArn });
    const events = await historyOf(engine, executionArn);

    // Assert
    expect(described.status).toBe('ABORTED');
    expect(events.at(-1)?.type).toBe('ExecutionAborted');
    expect(events.length).toBeGreaterThan(2);
    expect(events.length).toBeLessThan(2 + 2 * 5000);
    await engine.close();
  });

  it('records a chain run inline with every id and link in order', async () => {
    // Arrange
    const engine = await startEngine();

    // Act
    const executionArn = await startChain(engine, 2500);
    for (let i = 0; i < 20; i++) await turn();
    const described = await call<{ status: string; output?: string }>(engine, 'DescribeExecution', {
      executionArn,
    });
    const events = await historyOf(engine, executionArn);

    // Assert
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '{"k":1}' });
    expect(events).toHaveLength(2 + 2 * 2500);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    // AWS links the first state's Entered to 0 and every later event to the one before it.
    expect(events.map((e) => e.previousEventId)).toEqual(events.map((_, i) => (i <= 1 ? 0 : i)));
    expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    await engine.close();
  });
});
