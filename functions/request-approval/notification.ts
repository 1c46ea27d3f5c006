import type { ApprovalRecord } from '../shared/ports/approval-store.js';
import type { Notification } from '../shared/ports/notifier.js';

/**
 * The approvers' notice. Built from the human-readable record, which has no token, so no notifier
 * can leak one; `data` carries what a console or chat integration needs to link to the approval.
 */
export function approvalNotification(record: ApprovalRecord): Notification {
  if (record.evidence.purpose === 'restore') return restoreNotification(record);
  const evidence = record.evidence as {
    current?: { version?: string } | null;
    migrationsAdded?: { known?: boolean; names?: string[] };
    commits?: { items?: unknown[] };
    rollbackSafety?: { warning?: string } | null;
    contents?: {
      listed?: boolean;
      commits?: unknown[];
      features?: Array<{ id: string; link?: string }>;
    } | null;
    redeploy?: { requestedBy?: string; reason?: string; notPassed?: string[] } | null;
  };
  const features = evidence.contents?.features?.map((f) => (f.link ? `${f.id} (${f.link})` : f.id)) ?? [];
  const migrations = evidence.migrationsAdded?.known
    ? evidence.migrationsAdded.names?.length
      ? evidence.migrationsAdded.names.join(', ')
      : 'none'
    : 'unknown';
  const quorum = record.minApprovals > 1 ? ` (${record.minApprovals} approvals needed)` : '';
  const body = [
    `${record.release.version} (commit ${record.commit.commit.slice(0, 7)} by ${record.commit.author.name}) waits for approval into ${record.environment}${quorum}.`,
    `Message: ${record.commit.message.split('\n')[0]}`,
    `Now in ${record.environment}: ${evidence.current?.version ?? 'nothing'}`,
    `Releases in between: ${evidence.commits?.items?.length ?? 'unknown'}; migrations added: ${migrations}`,
    ...(evidence.contents?.listed
      ? [
          `Commits it adds: ${evidence.contents.commits?.length ?? 0}; features: ${features.join(', ') || 'none'}`,
        ]
      : []),
    ...(evidence.redeploy
      ? [
          `Redeploy asked by ${evidence.redeploy.requestedBy}${evidence.redeploy.reason ? `: ${evidence.redeploy.reason}` : ''}${evidence.redeploy.notPassed?.length ? ` (never passed ${evidence.redeploy.notPassed.join(', ')})` : ''}`,
        ]
      : []),
    ...(evidence.rollbackSafety?.warning ? [`WARNING: ${evidence.rollbackSafety.warning}`] : []),
    `Approvers: ${record.approvers.join(', ')}`,
    `Expires: ${record.expiresAt}`,
    `Decide with: tollgate approve ${record.executionArn} --env ${record.environment}`,
  ].join('\n');
  return {
    subject: `${record.pipeline}: approve ${record.release.version} into ${record.environment}`,
    body,
    data: {
      kind: 'approval-requested',
      approvalId: record.id,
      pipeline: record.pipeline,
      environment: record.environment,
      executionArn: record.executionArn,
      release: record.release.version,
      commit: record.commit.commit,
      expiresAt: record.expiresAt,
    },
  };
}

/** The notice asking whether to put an environment's data back from its checkpoint. */
function restoreNotification(record: ApprovalRecord): Notification {
  const restore = record.evidence.restore as {
    snapshot?: string;
    takenAt?: string;
    breakingApplied?: string[];
    rowsSinceCheckpoint?: number;
    counted?: string;
  };
  const body = [
    `${record.release.version} failed in ${record.environment} after its migrations ${restore.breakingApplied?.join(', ')} (marked breaking) ran; the previous release is back but may not run on the new schema.`,
    `Restore ${record.environment}'s data from checkpoint ${restore.snapshot} taken ${restore.takenAt}?`,
    `WARNING: ${restore.rowsSinceCheckpoint} rows written since the checkpoint would be lost (${restore.counted}).`,
    `Approve to restore, reject to keep the data as it is. Approvers: ${record.approvers.join(', ')}`,
    `Expires: ${record.expiresAt}`,
    `Decide with: tollgate approve ${record.executionArn} --env ${record.environment}`,
  ].join('\n');
  return {
    subject: `${record.pipeline}: restore ${record.environment}'s data from its checkpoint?`,
    body,
    data: {
      kind: 'approval-requested',
      purpose: 'restore',
      approvalId: record.id,
      pipeline: record.pipeline,
      environment: record.environment,
      executionArn: record.executionArn,
      release: record.release.version,
      expiresAt: record.expiresAt,
    },
  };
}
