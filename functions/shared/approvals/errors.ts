import { TollgateError } from '../errors.js';

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
 * act on and never contains the token.
 */
export class ApprovalCallbackError extends TollgateError {
  readonly reason: CallbackFailure;
  constructor(reason: CallbackFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.ApprovalCallbackFailed';
    this.reason = reason;
  }
}
