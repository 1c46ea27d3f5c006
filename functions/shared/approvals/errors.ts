import { TollgateError } from '../errors.js';

/** Why a vote was refused; callers branch on the code (HTTP status, CLI exit), people read the reason. */
export const RefusalCode = {
  UnknownApproval: 'unknown-approval',
  NotPending: 'not-pending',
  Expired: 'expired',
  RunEnded: 'run-ended',
  NotAnApprover: 'not-an-approver',
  SelfApproval: 'self-approval',
  DoubleVote: 'double-vote',
} as const;
export type RefusalCode = (typeof RefusalCode)[keyof typeof RefusalCode];

/** For a refusal read back from JSON (the approve URL's answer): is this a code we know? */
export function isRefusalCode(value: unknown): value is RefusalCode {
  return Object.values(RefusalCode).includes(value as RefusalCode);
}

export type Refusal = {
  readonly code: RefusalCode;
  readonly reason: string;
};

/**
 * A vote the approval rules refused, thrown where the caller only has an exception to go on (the
 * approve task's trusted entry). The refusal travels as data in `details`; the message repeats it
 * for a person reading a log, and nothing parses it back.
 */
export class ApprovalRefusedError extends TollgateError {
  declare readonly details: Refusal;
  constructor(refusal: Refusal, options?: ErrorOptions) {
    super(`refused (${refusal.code}): ${refusal.reason}`, {
      ...options,
      details: { code: refusal.code, reason: refusal.reason },
    });
    this.name = 'Tollgate.ApprovalRefused';
  }
}

/** A change that the approval's current status does not allow (e.g. a vote on a cancelled approval). */
export class ApprovalStateError extends TollgateError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.ApprovalStateConflict';
  }
}

export type CallbackFailure = 'timed-out' | 'invalid-token' | 'task-gone' | 'unavailable';

/**
 * SendTaskSuccess/Failure did not reach the waiting run. The message says why in terms a person can
 * act on and never contains the token; `reason` (also in `details`) says it to code.
 */
export class ApprovalCallbackError extends TollgateError {
  readonly reason: CallbackFailure;
  constructor(reason: CallbackFailure, message: string, options?: ErrorOptions) {
    super(message, { ...options, details: { reason } });
    this.name = 'Tollgate.ApprovalCallbackFailed';
    this.reason = reason;
  }
}
