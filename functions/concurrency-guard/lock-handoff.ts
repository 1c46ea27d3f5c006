import { LockConflictError } from '../shared/errors.js';
import type { KeyedRecord, LockTable, VersionedRecord } from '../shared/ports/lock-table.js';
import type { GuardPorts, GuardResult } from './guard-contract.js';
import { type GuardState, type Holder, lockKey, type Waiter, waiterPrefix } from './guard-state.js';

/**
 * Handing the lock on: whoever finds it free with runs waiting (the releasing run, the run-end
 * cleanup, an arriving run) gives it to the first waiter in commit order and wakes that run's
 * WaitForLock task with SendTaskSuccess. The grant is written before the wake-up is sent and
 * carries the token (`wake`) until the send is known to have worked, so a crash in between only
 * delays the wake-up to the next guard call.
 */
export type LockRecord = VersionedRecord<GuardState> | undefined;

/** Waiting runs in commit order, without those already told they will not run. */
export async function queueOf(locks: LockTable, pipeline: string): Promise<KeyedRecord<Waiter>[]> {
  const all = await locks.list<Waiter>(waiterPrefix(pipeline));
  return all.filter((w) => !w.value.outcome);
}

export function holderFrom(waiter: Waiter, now: Date, leaseSeconds: number): Holder {
  return {
    executionArn: waiter.executionArn,
    commit: waiter.commit,
    acquiredAt: now.toISOString(),
    leaseUntil: new Date(now.getTime() + leaseSeconds * 1000).toISOString(),
    ...(waiter.startedAt ? { startedAt: waiter.startedAt } : {}),
  };
}

/**
 * Gives a free lock to `head`. Conditioned on head's record, so a waiter timed out or superseded in
 * the meantime is never granted; throws LockConflictError when either record moved (re-read).
 */
export async function grant(
  pipeline: string,
  lock: LockRecord,
  head: KeyedRecord<Waiter>,
  ports: GuardPorts,
): Promise<void> {
  const holder: Holder = {
    ...holderFrom(head.value, ports.clock.now(), ports.config.concurrency.lease),
    ...(head.value.token ? { wake: head.value.token } : {}),
  };
  const { version } = await ports.locks.put<GuardState>(lockKey(pipeline), { holder }, lock?.version ?? 0, {
    key: head.key,
    version: head.version,
  });
  await deleteQuietly(ports.locks, head.key, head.version);
  if (holder.wake) await sendWake(pipeline, { value: { holder }, version }, ports);
}

/**
 * Sends the pending wake-up of the holder in `lock`. Delivered: the token is cleared. Refused
 * because the holder's run ended: the lock is released for it (and handed on by the caller's next
 * read). Refused while the run still runs: its WaitForLock task timed out and the run is on its
 * way to CheckLock, where it finds itself holding the lock. Step Functions unreachable: the token
 * stays, for the next guard call.
 */
export async function sendWake(pipeline: string, lock: VersionedRecord<GuardState>, ports: GuardPorts) {
  const holder = lock.value.holder;
  if (!holder?.wake) return;
  const { wake, ...rest } = holder;
  const result: GuardResult = { status: 'ACQUIRED' };
  try {
    await ports.callback.sendSuccess(wake, { ...result });
  } catch (error) {
    const state = await ports.callback.runState(holder.executionArn).catch(() => undefined);
    if (state === undefined) return;
    if (state.status !== 'RUNNING') {
      await writeQuietly(ports.locks, lockKey(pipeline), {}, lock.version);
      return;
    }
    if ((error as { reason?: string }).reason === 'unavailable') return;
  }
  await writeQuietly(ports.locks, lockKey(pipeline), { holder: rest }, lock.version);
}

/** Whether a holder whose lease lapsed still runs: 'unknown' when Step Functions cannot say. */
export async function holderRuns(
  holder: Holder,
  ports: GuardPorts,
): Promise<'running' | 'ended' | 'unknown'> {
  try {
    const state = await ports.callback.runState(holder.executionArn);
    return state.status === 'RUNNING' ? 'running' : 'ended';
  } catch {
    return 'unknown';
  }
}

export async function deleteQuietly(locks: LockTable, key: string, version: number): Promise<void> {
  await locks.delete(key, version).catch((error: unknown) => {
    if (!(error instanceof LockConflictError)) throw error;
  });
}

async function writeQuietly(locks: LockTable, key: string, value: GuardState, version: number) {
  await locks.put(key, value, version).catch((error: unknown) => {
    if (!(error instanceof LockConflictError)) throw error;
  });
}
