import type { Sleeper } from './app-process.js';

/** How long a local poll waits for running work to end before it answers that the work still runs. */
const POLL_HOLD_MS = 1_000;

/** How often a held poll looks: an in-memory check, so a short step costs nothing. */
const HOLD_STEP_MS = 20;

/**
 * A long poll, for the local adapters. The state machine polls a started operation at once, then
 * Waits `pollInterval` between polls, in whole seconds as Step Functions counts them, while most
 * local work (a snapshot, a clone, a rollout) ends within a second of its start: a poll that answered
 * straight away made each such step wait out a second it did not need. A held poll answers as soon
 * as the work ends, or after `holdMs` with the work still running, so a long operation is still
 * looked at every `holdMs + pollInterval`. The waiting goes through `sleep`, so a test's sleeper
 * decides what it costs.
 */
export async function holdWhileRunning(
  running: () => boolean,
  sleep: Sleeper,
  holdMs: number = POLL_HOLD_MS,
): Promise<void> {
  for (let waited = 0; running() && waited < holdMs; waited += HOLD_STEP_MS) await sleep(HOLD_STEP_MS);
}
