import { cancelPendingApprovals } from '../shared/approvals/cancel-pending.js';
import { LockConflictError } from '../shared/errors.js';
import type { GuardPorts } from './guard-contract.js';
import {
  type GuardState,
  type Holder,
  lockKey,
  type Outcome,
  short,
  startedBefore,
  type Waiter,
} from './guard-state.js';
import type { GuardInput } from './input.js';
import { queueOf } from './lock-handoff.js';

/**
 * Superseded mode. A run whose commit is older than one already waiting or running is superseded
 * on arrival; a newer one supersedes every older waiting run (each told at once through its token)
 * and marks the holder, which stops at its next lock renewal.
 */
export async function arrivalSupersededBy(
  input: GuardInput,
  waiter: Waiter,
  holder: Holder | undefined,
  ports: GuardPorts,
): Promise<Outcome | undefined> {
  const queue = await queueOf(ports.locks, input.pipeline);
  const newerWaiter = queue.find((w) => startedBefore(waiter, w.value))?.value;
  const newer = newerWaiter ?? (holder && startedBefore(waiter, holder) ? holder : undefined);
  if (!newer) return undefined;
  return {
    status: 'SUPERSEDED',
    reason: `commit ${short(newer.commit.commit)} was already ${newer === holder ? 'running' : 'waiting'} when the older commit ${short(waiter.commit.commit)} arrived; superseded mode runs only the newest waiting commit`,
    supersededBy: { executionArn: newer.executionArn, commit: newer.commit.commit },
    at: ports.clock.now().toISOString(),
  };
}

export async function supersedeOlder(input: GuardInput, waiter: Waiter, ports: GuardPorts): Promise<void> {
  const by = { executionArn: waiter.executionArn, commit: waiter.commit.commit };
  for (const older of await queueOf(ports.locks, input.pipeline)) {
    if (older.value.executionArn === waiter.executionArn || startedBefore(waiter, older.value)) continue;
    const outcome: Outcome = {
      status: 'SUPERSEDED',
      reason: `commit ${short(waiter.commit.commit)} arrived while commit ${short(older.value.commit.commit)} was waiting; superseded mode runs only the newest waiting commit`,
      supersededBy: by,
      at: ports.clock.now().toISOString(),
    };
    // A conflict means the waiter moved (granted, or re-registered its token): the retry re-reads.
    await ports.locks.put<Waiter>(older.key, { ...older.value, outcome }, older.version);
    if (older.value.token) {
      // Told at once; if this fails the run reads its outcome when it next looks.
      await ports.callback
        .sendSuccess(older.value.token, { status: 'SUPERSEDED', reason: outcome.reason, supersededBy: by })
        .catch(() => undefined);
    }
  }
  const lock = await ports.locks.get<GuardState>(lockKey(input.pipeline));
  const holder = lock?.value.holder;
  if (!lock || !holder || holder.executionArn === waiter.executionArn) return;
  if (startedBefore(waiter, holder) || holder.supersededBy?.executionArn === waiter.executionArn) return;
  try {
    await ports.locks.put<GuardState>(
      lockKey(input.pipeline),
      { holder: { ...holder, supersededBy: by } },
      lock.version,
    );
  } catch (error) {
    if (!(error instanceof LockConflictError)) throw error;
    return supersedeOlder(input, waiter, ports);
  }
  await supersedeWaitingHolder(holder, input, ports);
}

/**
 * A newer commit also replaces a holder that is only waiting for people: its pending approvals are
 * cancelled (with the reason recorded), so nobody can approve the old commit into production by
 * mistake. The cancelled run then fails at its gate and releases the lock.
 */
async function supersedeWaitingHolder(holder: Holder, input: GuardInput, ports: GuardPorts): Promise<void> {
  if (!ports.approvals || !ports.ledger || !input.commit) return;
  await cancelPendingApprovals(
    {
      executionArn: holder.executionArn,
      reason: `superseded by commit ${short(input.commit.commit)} while waiting for approval of commit ${short(holder.commit.commit)}`,
      supersededBy: { executionArn: input.executionArn, commit: input.commit.commit },
    },
    { approvals: ports.approvals, ledger: ports.ledger, callback: ports.callback, clock: ports.clock },
  );
}
