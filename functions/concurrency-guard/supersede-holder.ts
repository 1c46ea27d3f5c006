import { cancelPendingApprovals } from '../shared/approvals/cancel-pending.js';
import type { GuardInput, GuardPorts } from './concurrency-guard.js';
import { type GuardState, startedBefore } from './guard-state.js';

/**
 * A newer commit in superseded mode also replaces a holder that is only waiting for people: its
 * pending approvals are cancelled (with the reason recorded), so nobody can approve the old commit
 * into production by mistake. The cancelled run then fails at its gate and releases the lock.
 */
export async function supersedeWaitingHolder(
  state: GuardState,
  input: GuardInput,
  ports: GuardPorts,
): Promise<void> {
  const holder = state.holder;
  const newcomer = !state.queue.some((w) => w.executionArn === input.executionArn);
  if (input.action !== 'acquire' || ports.config.concurrency.mode !== 'superseded' || !holder || !newcomer)
    return;
  if (holder.executionArn === input.executionArn || !ports.approvals || !ports.ledger || !ports.callback)
    return;
  if (!input.commit) return;
  // An older commit's event that arrives late never displaces the newer run holding the lock.
  if (startedBefore(input, holder)) return;
  await cancelPendingApprovals(
    {
      executionArn: holder.executionArn,
      reason: `superseded by commit ${input.commit.commit.slice(0, 7)} while waiting for approval of commit ${holder.commit.commit.slice(0, 7)}`,
      supersededBy: { executionArn: input.executionArn, commit: input.commit.commit },
    },
    { approvals: ports.approvals, ledger: ports.ledger, callback: ports.callback, clock: ports.clock },
  );
}
