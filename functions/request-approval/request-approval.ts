import { type GuardState, lockKey, short } from '../concurrency-guard/guard-state.js';
import { targetEnvironment } from '../deploy/target-environment.js';
import { ApprovalPurpose, approvalId, tokenHash } from '../shared/approvals/approval-id.js';
import { approvalEntry } from '../shared/approvals/approval-ledger.js';
import { cancelPendingApprovals } from '../shared/approvals/cancel-pending.js';
import { deliverDecision } from '../shared/approvals/deliver-decision.js';
import { ApprovalStateError } from '../shared/approvals/errors.js';
import type { Clock } from '../shared/clock.js';
import type { EnvironmentConfig, TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';
import type { ApprovalCommit, ApprovalRecord, ApprovalStore } from '../shared/ports/approval-store.js';
import type { ArtifactStore } from '../shared/ports/artifact-store.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { LockTable } from '../shared/ports/lock-table.js';
import type { Notifier } from '../shared/ports/notifier.js';
import type { TaskCallback } from '../shared/ports/task-callback.js';
import type { ReleaseRef } from '../shared/release.js';
import { buildEvidence, type EvidenceSummary } from './evidence.js';
import { approvalNotification } from './notification.js';

/**
 * request-approval: the gate's task (`lambda:invoke.waitForTaskToken`). Stores the pending approval
 * with a hash of the token (the token itself apart, see ApprovalStore), builds the evidence summary,
 * appends `approval-requested` to the ledger and notifies the approvers. The run then waits until
 * approve, cancel-pending or the state's TimeoutSeconds ends it.
 *
 * Input:  { executionArn, stateName, pipeline, environment, release: ReleaseRef, commit,
 *           approval?: { approvers, minApprovals, timeoutSeconds, allowSelfApproval },
 *           previousEnvironment: { name, smokeTests, dataChecks } | null, taskToken }
 * Output: { approvalId, status, expiresAt, created, tokenReplaced } (ignored by the waiting state).
 *
 * Re-invoked (a Retry, or a crash), it finds the same approval by executionArn + environment and
 * keeps its expiry and votes; Step Functions issues a new token per attempt, so the stored token is
 * replaced. If that approval was already decided, the decision is delivered again to the new token.
 *
 * Superseded mode: a newer commit's guard marks the holder and then cancels the holder's pending
 * approvals. Between this run's last lock renewal and the moment its approval is stored, that
 * cancellation finds nothing; so after storing, this task reads the lock too, and a run marked
 * superseded cancels its own approval before anybody is asked. Store-then-check on both sides means
 * one of the two always sees the other.
 */
export interface RequestApprovalInput {
  readonly executionArn: string;
  readonly stateName: string;
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly commit: ApprovalCommit & { readonly parents?: readonly string[] };
  readonly approval?: {
    readonly approvers: readonly string[];
    readonly minApprovals: number;
    readonly timeoutSeconds: number;
    readonly allowSelfApproval: boolean;
  } | null;
  readonly previousEnvironment?: EvidenceSummary['previousEnvironment'];
  /**
   * `restore`: after a failure past a breaking migration, asks to put the environment's data back
   * from its checkpoint (its own approval id); `restore` is what migration-safety's restore-plan
   * found (the checkpoint and the rows written since), shown as the evidence.
   */
  readonly purpose?: ApprovalPurpose;
  readonly restore?: Record<string, unknown> | null;
  readonly taskToken: string;
}

export interface RequestApprovalPorts {
  readonly config: TollgateConfig;
  readonly clock: Clock;
  readonly ledger: Ledger;
  readonly artifacts: ArtifactStore;
  readonly notifier: Notifier;
  readonly approvals: ApprovalStore;
  readonly callback: TaskCallback;
  /** Read only: whether a newer commit superseded this run (the concurrency guard's lock record). */
  readonly locks: LockTable;
}

export interface RequestApprovalOutput {
  readonly approvalId: string;
  readonly status: ApprovalRecord['status'];
  readonly expiresAt: string;
  readonly created: boolean;
  readonly tokenReplaced: boolean;
}

export async function requestApproval(
  input: RequestApprovalInput,
  ports: RequestApprovalPorts,
): Promise<RequestApprovalOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  const rules = approvalRules(env, input);
  const purpose = input.purpose ?? ApprovalPurpose.Promotion;
  if (purpose === ApprovalPurpose.Restore && !input.restore)
    throw new InvalidInputError('a restore approval needs the restore plan (checkpoint, rows since) to show');
  const id = approvalId(input.executionArn, env.name, purpose);
  const now = ports.clock.now();
  const existing = await ports.approvals.get(id);
  const evidence =
    existing?.evidence ??
    (purpose === ApprovalPurpose.Restore ? { purpose, restore: input.restore } : undefined) ??
    ((await buildEvidence(
      {
        pipeline: input.pipeline,
        environment: env.name,
        release: input.release,
        parents: input.commit.parents ?? [],
        previousEnvironment: input.previousEnvironment ?? null,
      },
      ports,
    )) as unknown as Record<string, unknown>);
  const { record, created, tokenReplaced } = await ports.approvals.createPending(
    {
      id,
      pipeline: input.pipeline,
      executionArn: input.executionArn,
      stateName: input.stateName,
      environment: env.name,
      release: input.release,
      commit: commitOf(input.commit),
      approvers: rules.approvers,
      minApprovals: rules.minApprovals,
      allowSelfApproval: rules.allowSelfApproval,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + rules.timeout * 1000).toISOString(),
      evidence,
    },
    input.taskToken,
  );
  if (record.status !== 'pending' && record.tokenHash !== tokenHash(input.taskToken)) {
    await redeliver(record, input.taskToken, ports);
  }
  if (record.status === 'pending' && (await cancelledAsSuperseded(input, ports))) {
    return { approvalId: id, status: 'cancelled', expiresAt: record.expiresAt, created, tokenReplaced };
  }
  const { created: logged } = await ports.ledger.append(
    approvalEntry('approval-requested', record, {
      at: record.requestedAt,
      actor: 'tollgate',
      idempotencyKey: `${input.executionArn}#${input.stateName}#${env.name}`,
      data: {
        approvers: record.approvers,
        allowSelfApproval: record.allowSelfApproval,
        expiresAt: record.expiresAt,
        author: record.commit.author,
        evidence: record.evidence,
      },
    }),
  );
  // Notify once: on the invocation that wrote the ledger entry (a crash before it means nobody was told).
  if (logged && record.status === 'pending') await ports.notifier.notify(approvalNotification(record));
  return { approvalId: id, status: record.status, expiresAt: record.expiresAt, created, tokenReplaced };
}

/** Cancels this run's just-stored approval when a newer commit has marked the run superseded. */
async function cancelledAsSuperseded(
  input: RequestApprovalInput,
  ports: RequestApprovalPorts,
): Promise<boolean> {
  if (ports.config.concurrency.mode !== 'superseded') return false;
  const holder = (await ports.locks.get<GuardState>(lockKey(input.pipeline)))?.value.holder;
  const by = holder?.executionArn === input.executionArn ? holder.supersededBy : undefined;
  if (!by) return false;
  await cancelPendingApprovals(
    {
      executionArn: input.executionArn,
      reason: `superseded by commit ${short(by.commit)}, which arrived before this run's approval was requested`,
      supersededBy: by,
    },
    ports,
  );
  return true;
}

function approvalRules(env: EnvironmentConfig, input: RequestApprovalInput) {
  const configured = env.approval;
  if (!configured) {
    throw new InvalidInputError(
      `environment "${env.name}" has no approval block in the config; nothing to request`,
    );
  }
  const asked = input.approval;
  // The run's plan was made from the config; if they disagree the config changed under the run and
  // the people who may approve are unclear, so refuse rather than pick one.
  if (
    asked &&
    (asked.minApprovals !== configured.minApprovals ||
      asked.allowSelfApproval !== configured.allowSelfApproval ||
      asked.timeoutSeconds !== configured.timeout ||
      [...asked.approvers].sort().join('\n') !== [...configured.approvers].sort().join('\n'))
  ) {
    throw new InvalidInputError(
      `the run's approval settings for "${env.name}" differ from the deployed config; start a new run`,
    );
  }
  return configured;
}

function commitOf(commit: RequestApprovalInput['commit']): ApprovalCommit {
  const { repository, branch, commit: id, author, message, timestamp } = commit;
  return {
    repository,
    branch,
    commit: id,
    author: { name: author.name, email: author.email },
    message,
    timestamp,
  };
}

async function redeliver(record: ApprovalRecord, token: string, ports: RequestApprovalPorts): Promise<void> {
  if (record.status === 'expired') {
    throw new ApprovalStateError(`approval ${record.id} expired at ${record.expiresAt}; start a new run`);
  }
  const result = await deliverDecision(record, ports, token);
  if (!result.delivered) {
    throw new ApprovalStateError(
      `approval ${record.id} is ${record.status} but could not be delivered: ${result.error}`,
    );
  }
}
