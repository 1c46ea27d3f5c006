import { afterEach, describe, expect, it } from 'vitest';
import type { CliTarget } from '../../../../cli/client/cli-context.js';
import { RUN_START_WAIT_MS, runStarted } from '../../../../cli/commands/push.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../../../runtime/engine/engine.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';

/** A real engine, read the way the CLI reads the local runtime (one call per API operation). */
async function engineTarget() {
  const clock = new FakeEngineClock(Date.parse('2026-12-04T12:00:00Z'));
  const engine = createEngine({
    store: new MemoryStore(),
    clock,
    lambda: { invoke: async () => ({ payload: '{}' }) } as never,
    accountId: '000000000000',
  });
  await engine.start();
  const call = (op: string, body: unknown) =>
    engine.service.dispatch(op, body) as Promise<{ stateMachineArn: string }>;
  const { stateMachineArn } = await call('CreateStateMachine', {
    name: 'tollgate-pipeline',
    definition: JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 60, End: true } } }),
    roleArn: 'arn:aws:iam::000000000000:role/tollgate',
  });
  const target = {
    mode: 'local',
    where: 'the test engine',
    reads: { call },
    stateMachineArns: async () => [stateMachineArn],
  } as unknown as CliTarget;
  return {
    engine,
    target,
    clock,
    start: (name: string) => call('StartExecution', { stateMachineArn, name }),
  };
}

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
});

describe('push waits for its run to start', () => {
  it('answers once the bus has started the run named after the event, not before', async () => {
    // Arrange: the run starts while push waits, on its third wait
    const world = await engineTarget();
    engine = world.engine;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      if (waits.length === 3) await world.start('event-1');
    };
    // Act
    const started = await runStarted(world.target, 'event-1', sleep);
    // Assert
    expect(started).toBe(true);
    expect(waits).toEqual([20, 40, 80]);
  });

  it('gives up after the wait, saying the run has not started, when no run of that name appears', async () => {
    // Arrange: another event's run exists, not this one's
    const world = await engineTarget();
    engine = world.engine;
    await world.start('event-other');
    let waited = 0;
    // Act
    const started = await runStarted(world.target, 'event-1', async (ms) => {
      waited += ms;
    });
    // Assert
    expect(started).toBe(false);
    expect(waited).toBeGreaterThanOrEqual(RUN_START_WAIT_MS);
    expect(waited).toBeLessThan(RUN_START_WAIT_MS + 1_000);
  });

  it('finds its run by its ARN however many runs started after it', async () => {
    // Arrange: the event's run, then 120 newer ones (a burst of pushes): more than a page of runs
    const world = await engineTarget();
    engine = world.engine;
    await world.start('event-1');
    for (let i = 0; i < 120; i += 1) {
      world.clock.advance(1_000);
      await world.start(`event-later-${i}`);
    }
    const waits: number[] = [];
    // Act
    const started = await runStarted(world.target, 'event-1', async (ms) => {
      waits.push(ms);
    });
    // Assert: found on the first look, without waiting
    expect(started).toBe(true);
    expect(waits).toEqual([]);
  });
});
