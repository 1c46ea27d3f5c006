import { describe, expect, it } from 'vitest';
import { FakeEngineClock } from '../../../runtime/engine/clock.js';
import { handlerClockOn } from '../../../runtime/engine-time.js';

describe('handlerClockOn', () => {
  it('reads the engine clock, so moving it moves the handlers time', () => {
    const engine = new FakeEngineClock('2026-03-01T00:00:00.000Z');
    const clock = handlerClockOn(engine);
    engine.advance(90_000);
    expect(clock.now().toISOString()).toBe('2026-03-01T00:01:30.000Z');
  });

  it('sleeps until the engine clock reaches the deadline, not before', async () => {
    const engine = new FakeEngineClock('2026-03-01T00:00:00.000Z');
    const clock = handlerClockOn(engine);
    let woke = false;
    const sleeping = clock.sleep(5_000).then(() => {
      woke = true;
    });
    engine.advance(4_999);
    await Promise.resolve();
    expect(woke).toBe(false);
    engine.advance(1);
    await sleeping;
    expect(woke).toBe(true);
  });

  it('treats a negative sleep as no wait', async () => {
    const engine = new FakeEngineClock();
    const sleeping = handlerClockOn(engine).sleep(-10);
    engine.advance(0);
    await expect(sleeping).resolves.toBeUndefined();
  });
});
