import { TollgateError } from '../shared/errors.js';

/** The body is signed by GitHub but is not a push payload Tollgate can read; answered with 400. */
export class InvalidPushPayloadError extends TollgateError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.InvalidPushPayload';
  }
}

/** EventBridge did not accept the commit event; answered with 500 so GitHub shows a failed delivery. */
export class EventNotDeliveredError extends TollgateError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.EventNotDelivered';
  }
}
