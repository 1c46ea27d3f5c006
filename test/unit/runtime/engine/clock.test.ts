import { describe, expect, it } from 'vitest';
import { FakeEngineClock, sleepUntil } from '../../../../runtime/engine/clock.js';

describe('FakeEngineClock', () => {
  it('fires due timers in time order, each at its own time, when advanced', () => {
    // Arrange
    const clock = new FakeEngineClock(0);
    const fired: Array<[string, number]> = [];
    clock.setTimer(300, () => fired.push(['b', clock.now()]));
    clock.setTimer(100, () => fired.push(['a', clock.now()]));
    clock.setTimer(900, () => fired.push(['c', clock.now()]));

    // Act
    clock.advance(500);

    // Assert
    expect(fired).toEqual([
      ['a', 100],
      ['b', 300],
    ]);
    expect(clock.now()).toBe(500);
    expect(clock.nextTimerAt()).toBe(900);
  });

  it('does not fire a cancelled timer', () => {
    // Arrange
    const clock = new FakeEngineClock(0);
    let fired = false;
    clock
      .setTimer(10, () => {
        fired = true;
      })
      .cancel();

    // Act
    clock.advance(20);

    // Assert
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects a negative advance and an invalid start time', () => {
    // Act / Assert
    expect(() => new FakeEngineClock(0).advance(-1)).toThrow(RangeError);
    expect(() => new FakeEngineClock('not a date')).toThrow(TypeError);
  });

  it('rejects sleepUntil with the abort reason when the signal aborts first', async () => {
    // Arrange
    const clock = new FakeEngineClock(0);
    const controller = new AbortController();
    const sleeping = sleepUntil(clock, 1_000, controller.signal);

    // Act
    controller.abort(new Error('stopped'));

    // Assert
    await expect(sleeping).rejects.toThrow('stopped');
    expect(clock.pendingTimers()).toBe(0);
  });
});
