import { ApprovalCallbackError, type CallbackFailure } from '../shared/approvals/errors.js';
import { GRANT_SETTLE_MS, type GuardPorts, type GuardResult, type StepOutcome } from './guard-contract.js';
import {
  type GuardState,
  type Holder,
  lockKey,
  type Outcome,
  short,
  type Waiter,
  waiterKey,
} from './guard-state.js';
import type { GuardInput } from './input.js';
import { grant, holderFrom, holderRuns, queueOf, sendWake } from './lock-handoff.js';
import { findWaiter } from './release-renew.js';
import { arrivalSupersededBy, supersedeOlder } from './supersede-holder.js';

/**
 * acquire / check / wait: one pass over the lock and this run's waiter record. Every write is
 * conditioned on what the pass read, and a pass that wrote returns 'again' to decide on fresh reads;
 * a lost race throws LockConflictError, which runGuard backs off from.
 */
export async function queueStep(
  input: GuardInput,
  ports: GuardPorts,
  settled: boolean,
): Promise<StepOutcome> {
  const { locks, clock } = ports;
  const now = clock.now();
  const key = lockKey(input.pipeline);
  const lock = await locks.get<GuardState>(key);
  const lockVersion = lock?.version ?? 0;
  const holder = lock?.value.holder;
  const arn = input.executionArn;
  const mine = await findWaiter(locks, input);

  if (holder?.executionArn === arn) {
    // Granted while it slept (or asked again): its waiter record went with the grant, and a
    // wake-up still pending for it is moot now that it knows.
    if (mine) await locks.delete(mine.key, mine.version);
    if (holder.wake) {
      const { wake: _known, ...rest } = holder;
      await locks.put<GuardState>(key, { holder: rest }, lockVersion);
    }
    return decided(input, ports, { status: 'ACQUIRED' });
  }
  if (mine?.value.outcome) return decided(input, ports, outcomeResult(mine.value.outcome));
  if (holder?.wake && lock) await sendWake(input.pipeline, lock, ports);

  if (!mine) {
    const waiter: Waiter = {
      executionArn: arn,
      commit: input.commit!,
      enqueuedAt: now.toISOString(),
      ...(input.startedAt ? { startedAt: input.startedAt } : {}),
      ...(input.taskToken ? { token: input.taskToken } : {}),
    };
    const myKey = waiterKey(input.pipeline, arn, input.startedAt ?? waiter.enqueuedAt);
    if (ports.config.concurrency.mode === 'superseded') {
      const outcome = await arrivalSupersededBy(input, waiter, holder, ports);
      if (outcome) {
        await locks.put<Waiter>(myKey, { ...waiter, outcome }, 0);
        return decided(input, ports, outcomeResult(outcome));
      }
    }
    // Registered only while the lock is as read: a release in between makes this write fail.
    await locks.put<Waiter>(myKey, waiter, 0, { key, version: lockVersion });
    return 'again';
  }
  // Every pass, not only the arrival's: a pass cut short by a lost race finishes the job.
  if (ports.config.concurrency.mode === 'superseded') await supersedeOlder(input, mine.value, ports);
  if (input.taskToken && mine.value.token !== input.taskToken) {
    // Check-then-wait in one conditional write: the token is stored only while the lock is still
    // held as read; if it was freed meanwhile the write fails and the next pass sees it free.
    await locks.put<Waiter>(mine.key, { ...mine.value, token: input.taskToken }, mine.version, {
      key,
      version: lockVersion,
    });
    return 'again';
  }

  let free = holder === undefined;
  let tookOverFrom: GuardResult['tookOverFrom'];
  if (holder && Date.parse(holder.leaseUntil) <= now.getTime()) {
    const runs = await holderRuns(holder, ports);
    if (runs === 'running') {
      // A run waiting at an approval gate (or anywhere else) keeps the lock: a new lease for it.
      const leaseUntil = new Date(now.getTime() + ports.config.concurrency.lease * 1000).toISOString();
      await locks.put<GuardState>(key, { holder: { ...holder, leaseUntil } }, lockVersion);
      return 'again';
    }
    if (runs === 'ended') {
      free = true;
      tookOverFrom = {
        executionArn: holder.executionArn,
        commit: holder.commit.commit,
        leaseUntil: holder.leaseUntil,
      };
    }
  }

  if (free) {
    const [head] = await queueOf(locks, input.pipeline);
    const settleUntil = (w: Waiter) => (w.startedAt ? Date.parse(w.startedAt) + GRANT_SETTLE_MS : 0);
    if (head && head.value.executionArn !== arn && settleUntil(head.value) <= now.getTime()) {
      await grant(input.pipeline, lock, head, ports);
      return 'again';
    }
    // A head still within its settle time takes the lock itself when that is over (its own call).
    if (head?.value.executionArn === arn) {
      if (input.action === 'acquire' && !settled && now.getTime() < settleUntil(mine.value))
        return { settleMs: settleUntil(mine.value) - now.getTime() };
      const granted: Holder = holderFrom(mine.value, now, ports.config.concurrency.lease);
      await locks.put<GuardState>(key, { holder: granted }, lockVersion, {
        key: mine.key,
        version: mine.version,
      });
      await locks.delete(mine.key, mine.version).catch(() => undefined);
      return decided(input, ports, { status: 'ACQUIRED', ...(tookOverFrom ? { tookOverFrom } : {}) });
    }
  }

  const { maxWait, pollInterval } = ports.config.concurrency;
  const waitedSeconds = (now.getTime() - Date.parse(mine.value.enqueuedAt)) / 1000;
  if (waitedSeconds >= maxWait) {
    const reason = `waited ${Math.round(waitedSeconds)}s for the ${input.pipeline} lock (concurrency.maxWait is ${maxWait}s)${holder ? `; held by ${holder.executionArn} (commit ${short(holder.commit.commit)})` : ''}`;
    const outcome: Outcome = { status: 'TIMED_OUT', reason, at: now.toISOString() };
    // Conditioned on the lock as read: a grant to this run in between wins over the time-out.
    await locks.put<Waiter>(mine.key, { ...mine.value, outcome }, mine.version, {
      key,
      version: lockVersion,
    });
    return decided(input, ports, outcomeResult(outcome));
  }
  const queue = await queueOf(locks, input.pipeline);
  return {
    result: {
      status: 'WAITING',
      position: queue.findIndex((w) => w.value.executionArn === arn) + 1,
      ...(holder ? { holder: { executionArn: holder.executionArn, commit: holder.commit.commit } } : {}),
      wakeAfterSeconds: Math.max(1, Math.ceil(Math.min(pollInterval, maxWait - waitedSeconds))),
    },
  };
}

function outcomeResult(outcome: Outcome): GuardResult {
  return {
    status: outcome.status,
    reason: outcome.reason,
    ...(outcome.supersededBy ? { supersededBy: outcome.supersededBy } : {}),
  };
}

/**
 * A decided `wait` answers through its own token: its task returns what SendTaskSuccess carries.
 * A token already settled was answered by someone else: a release that handed this run the lock
 * woke it between this call's token write and this pass (the same ACQUIRED), or the task timed out
 * and the run looks again at CheckLock. Failing here would fail a run that already has its answer.
 */
async function decided(input: GuardInput, ports: GuardPorts, result: GuardResult): Promise<StepOutcome> {
  if (input.action !== 'wait') return { result };
  try {
    await ports.callback.sendSuccess(input.taskToken!, { ...result });
  } catch (error) {
    if (!(error instanceof ApprovalCallbackError) || !SETTLED.has(error.reason)) throw error;
  }
  return { result };
}

/** The token's task no longer waits: answered already, timed out, or its run ended. */
const SETTLED: ReadonlySet<CallbackFailure> = new Set(['timed-out', 'task-gone']);
