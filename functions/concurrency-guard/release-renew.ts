import { backOff } from '../shared/backoff.js';
import { LockConflictError } from '../shared/errors.js';
import type { KeyedRecord, LockTable } from '../shared/ports/lock-table.js';
import { LockLostError, RunSupersededError } from './errors.js';
import { GUARD_BACKOFF, type GuardPorts, type StepOutcome } from './guard-contract.js';
import { type GuardState, lockKey, short, type Waiter, waiterKey, waiterPrefix } from './guard-state.js';
import type { GuardInput } from './input.js';
import { deleteQuietly, grant, queueOf, sendWake } from './lock-handoff.js';

/** A run's own waiter record: found by its key when the start time is known, else by listing. */
export async function findWaiter(
  locks: LockTable,
  input: Pick<GuardInput, 'pipeline' | 'executionArn' | 'startedAt'>,
): Promise<KeyedRecord<Waiter> | undefined> {
  if (input.startedAt) {
    const key = waiterKey(input.pipeline, input.executionArn, input.startedAt);
    const record = await locks.get<Waiter>(key);
    return record && record.value.executionArn === input.executionArn ? { key, ...record } : undefined;
  }
  const all = await locks.list<Waiter>(waiterPrefix(input.pipeline));
  return all.find((w) => w.value.executionArn === input.executionArn);
}

/**
 * release: the holder frees the lock and hands it to the next waiter. Anyone else (the run-end
 * cleanup of a run that was only queued, a re-invoked release) takes its waiter record out and
 * answers NOT_HOLDER; it still hands a free lock on, so a release that died half-way is finished.
 */
export async function releaseLock(input: GuardInput, ports: GuardPorts): Promise<StepOutcome> {
  const key = lockKey(input.pipeline);
  const lock = await ports.locks.get<GuardState>(key);
  if (lock?.value.holder?.executionArn === input.executionArn) {
    await ports.locks.put<GuardState>(key, {}, lock.version);
    await handOn(input.pipeline, ports);
    await pruneDecided(input.pipeline, ports);
    return { result: { status: 'RELEASED' } };
  }
  const mine = await findWaiter(ports.locks, input);
  if (mine) await deleteQuietly(ports.locks, mine.key, mine.version);
  await handOn(input.pipeline, ports);
  return { result: { status: 'NOT_HOLDER' } };
}

const HAND_ON_ATTEMPTS = 20;

/**
 * Records of runs told they will not run (superseded, timed out) stay until the run has read its
 * outcome: it is told through its token at once, or reads it at its next look. After maxWait and
 * one more look it has long ended, so the record goes (on AWS the table's TTL would also take it).
 */
async function pruneDecided(pipeline: string, ports: GuardPorts): Promise<void> {
  const { maxWait, pollInterval } = ports.config.concurrency;
  const before = ports.clock.now().getTime() - (maxWait + pollInterval) * 1000;
  for (const record of await ports.locks.list<Waiter>(waiterPrefix(pipeline))) {
    const outcome = record.value.outcome;
    if (outcome && Date.parse(outcome.at) < before)
      await deleteQuietly(ports.locks, record.key, record.version);
  }
}

/**
 * Gives a free lock to the first waiter, skipping those whose runs ended (their wake-up is refused
 * and the lock freed again), and finishes a wake-up left pending. Gives up quietly after racing
 * others for a while: whoever won the race hands on, and every waiter also looks by itself.
 */
async function handOn(pipeline: string, ports: GuardPorts): Promise<void> {
  for (let attempt = 0; attempt < HAND_ON_ATTEMPTS; attempt++) {
    const lock = await ports.locks.get<GuardState>(lockKey(pipeline));
    if (lock?.value.holder) {
      if (!lock.value.holder.wake) return;
      await sendWake(pipeline, lock, ports);
      // A refused wake-up of an ended run frees the lock again: read it once more.
      if ((await ports.locks.get<GuardState>(lockKey(pipeline)))?.value.holder) return;
      continue;
    }
    const [head] = await queueOf(ports.locks, pipeline);
    if (!head) return;
    try {
      await grant(pipeline, lock, head, ports);
    } catch (error) {
      if (!(error instanceof LockConflictError)) throw error;
      await backOff(attempt, GUARD_BACKOFF, ports.clock);
    }
  }
}

/**
 * renew: the holder starts an environment. Refreshes the lease, and in superseded mode stops a run
 * a newer commit has superseded before it goes on (or asks for approval).
 */
export async function renewLock(input: GuardInput, ports: GuardPorts): Promise<StepOutcome> {
  const key = lockKey(input.pipeline);
  const lock = await ports.locks.get<GuardState>(key);
  const holder = lock?.value.holder;
  if (!lock || holder?.executionArn !== input.executionArn) {
    throw new LockLostError(
      `this run no longer holds the ${input.pipeline} lock: ${holder ? `run ${holder.executionArn} holds it now` : 'nobody holds it'} (it was released for this run, which Step Functions reported as ended)`,
    );
  }
  const newer = holder.supersededBy;
  if (newer) {
    throw new RunSupersededError(
      `commit ${short(newer.commit)} arrived while this run (commit ${short(holder.commit.commit)}) was under way; superseded mode runs only the newest commit, so this run stops here instead of going on (or asking for approval)`,
      newer,
    );
  }
  const { wake: _sent, ...rest } = holder;
  const leaseUntil = new Date(ports.clock.now().getTime() + ports.config.concurrency.lease * 1000);
  await ports.locks.put<GuardState>(
    key,
    { holder: { ...rest, leaseUntil: leaseUntil.toISOString() } },
    lock.version,
  );
  return { result: { status: 'RENEWED' } };
}
