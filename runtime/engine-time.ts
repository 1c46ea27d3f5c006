import type { WaitingClock } from '../functions/shared/clock.js';
import { type EngineClock, sleepUntil } from './engine/clock.js';

/**
 * The handlers' clock, read from the engine's. A local runtime has one source of time: a Wait
 * state, an approval's expiry, a lock lease and a deployer's health deadline all move together,
 * so a test that moves the engine's clock moves the ports' time with it (two clocks drifted apart
 * and a lease could expire in one and not the other).
 */
export function handlerClockOn(clock: EngineClock): WaitingClock {
  return {
    now: () => new Date(clock.now()),
    sleep: (ms) => sleepUntil(clock, clock.now() + Math.max(0, ms)),
  };
}
