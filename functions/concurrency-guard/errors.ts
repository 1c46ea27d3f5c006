import { TollgateError } from '../shared/errors.js';

export class LockLostError extends TollgateError {
  constructor(message: string) {
    super(message);
    this.name = 'Tollgate.LockLost';
  }
}

/** A newer commit's run arrived in superseded mode: this run stops at its next environment. */
export class RunSupersededError extends TollgateError {
  constructor(
    message: string,
    readonly supersededBy: { readonly executionArn: string; readonly commit: string },
  ) {
    super(message);
    this.name = 'Tollgate.Superseded';
  }
}
