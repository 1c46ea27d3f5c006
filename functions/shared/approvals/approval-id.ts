import { createHash } from 'node:crypto';
import { InvalidInputError } from '../errors.js';

const ID = /^apr-[0-9a-f]{24}$/;

/**
 * What an approval decides: letting a release into an environment (its gate), or restoring the
 * environment's data from the checkpoint taken before a breaking migration, after a failure.
 */
export const ApprovalPurpose = { Promotion: 'promotion', Restore: 'restore' } as const;
export type ApprovalPurpose = (typeof ApprovalPurpose)[keyof typeof ApprovalPurpose];

/**
 * One approval per (run, environment, purpose): a gate that Step Functions re-invokes after a retry
 * maps to the same id, so nobody sees two approvals for one promotion, and a run that passed its
 * gate and then asks to restore the data gets a second approval of its own, not the decided one.
 */
export function approvalId(
  executionArn: string,
  environment: string,
  purpose: ApprovalPurpose = ApprovalPurpose.Promotion,
): string {
  // A promotion keeps the id it always had, so approvals stored before purposes existed still match.
  const suffix = purpose === ApprovalPurpose.Promotion ? '' : `\n${purpose}`;
  const digest = createHash('sha256').update(`${executionArn}\n${environment}${suffix}`).digest('hex');
  return `apr-${digest.slice(0, 24)}`;
}

export function isApprovalId(id: unknown): id is string {
  return typeof id === 'string' && ID.test(id);
}

/** Stores reject an id that is not ours before touching anything (it also names a file locally). */
export function assertApprovalId(id: unknown): asserts id is string {
  if (!isApprovalId(id)) {
    throw new InvalidInputError(
      `approval id ${JSON.stringify(id)} is malformed; expected "apr-" and 24 hex digits`,
    );
  }
}

/** The stored fingerprint of a task token: enough to tell tokens apart, useless to resume a run. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function assertToken(token: unknown): asserts token is string {
  // Step Functions tokens are opaque and at most 1024 characters.
  if (typeof token !== 'string' || token.length === 0 || token.length > 1024 || /\s/.test(token)) {
    throw new InvalidInputError(
      'task token must be a non-empty string of at most 1024 characters without spaces',
    );
  }
}
