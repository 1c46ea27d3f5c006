import { backOff } from '../shared/backoff.js';
import { InvalidInputError, LockConflictError, TollgateError } from '../shared/errors.js';
import {
  GUARD_BACKOFF,
  GUARD_BACKOFF_BUDGET_MS,
  type GuardPorts,
  type GuardResult,
  type StepOutcome,
} from './guard-contract.js';
import type { GuardInput } from './input.js';
import { queueStep } from './queue-step.js';
import { releaseLock, renewLock } from './release-renew.js';

// The errors a guard call throws, for callers that match them by class.
export { LockLostError, RunSupersededError } from './errors.js';

/** How hard a call had to try; the burst bench reports these. */
export interface GuardAttempts {
  readonly retries: number;
  readonly waitedMs: number;
}

/**
 * concurrency-guard: one run at a time per pipeline.
 *
 * Input:  { action: 'acquire'|'check'|'wait'|'renew'|'release', executionArn, pipeline, commit,
 *           startedAt?, taskToken? (wait) }
 * Output: { status: 'ACQUIRED'|'WAITING'|'SUPERSEDED'|'TIMED_OUT'|'RENEWED'|'RELEASED'|'NOT_HOLDER',
 *           position?, holder?, reason?, supersededBy?, tookOverFrom?, wakeAfterSeconds? }
 *
 * A run that cannot have the lock registers as a waiter (AcquireLock), then sleeps on a task token
 * (WaitForLock, `.waitForTaskToken`): it costs the same few history events however long it waits.
 * Whoever frees the lock hands it to the first waiter in commit order and wakes it (SendTaskSuccess).
 * `wait` stores the token only while the lock is still held as it was read (one conditional write),
 * and answers at once through the token when it is not, so no wake-up can be lost to a release that
 * ran in between. A sleeping run also looks by itself every `concurrency.pollInterval` (CheckLock),
 * the bound on how long a wake-up lost some other way (a crashed release) can delay it.
 * Modes:
 * - queued: commit order; every commit eventually runs (or times out after maxWait, with a reason).
 * - superseded: a newer commit marks every older *waiting* run superseded; the holder keeps going
 *   to its next environment.
 * The lease: a holder whose lease lapsed is not evicted on time alone. The next guard call asks Step
 * Functions whether its run still runs: one that does (e.g. waiting at an approval gate) keeps the
 * lock with a fresh lease; one that ended (and whose end the run-end rule missed) loses it.
 */
export async function runGuard(
  input: GuardInput,
  ports: GuardPorts,
  onAttempts?: (attempts: GuardAttempts) => void,
): Promise<GuardResult> {
  const needsCommit = input.action === 'acquire' || input.action === 'check' || input.action === 'wait';
  if (needsCommit && !input.commit)
    throw new InvalidInputError(`concurrency-guard: ${input.action} needs the run's commit`);
  if (input.action === 'wait' && !input.taskToken)
    throw new InvalidInputError('concurrency-guard: wait needs the task token of its WaitForLock task');
  // Waits asked for and time spent both count: a slow table must not run the function past its timeout.
  const deadline = ports.clock.now().getTime() + GUARD_BACKOFF_BUDGET_MS;
  let waitedMs = 0;
  let conflicts = 0;
  let settled = false;
  for (let pass = 0; ; pass++) {
    let outcome: StepOutcome;
    try {
      outcome =
        input.action === 'release'
          ? await releaseLock(input, ports)
          : input.action === 'renew'
            ? await renewLock(input, ports)
            : await queueStep(input, ports, settled);
    } catch (error) {
      if (!(error instanceof LockConflictError)) throw error;
      if (waitedMs >= GUARD_BACKOFF_BUDGET_MS || ports.clock.now().getTime() >= deadline) {
        throw new LockConflictError(
          `pipeline lock guard-${input.pipeline} is contended; gave up after ${conflicts + 1} attempts and ${Math.round(waitedMs / 1000)}s of backoff`,
        );
      }
      waitedMs += await backOff(conflicts++, GUARD_BACKOFF, ports.clock);
      continue;
    }
    if (outcome === 'again') {
      // Each pass changes a record (a registration, a grant); a loop that never settles is a bug.
      if (pass > 1_000) throw new TollgateError(`concurrency-guard: ${input.action} did not settle`);
      continue;
    }
    if ('settleMs' in outcome) {
      await ports.clock.sleep(outcome.settleMs);
      settled = true;
      continue;
    }
    onAttempts?.({ retries: conflicts, waitedMs });
    return outcome.result;
  }
}
