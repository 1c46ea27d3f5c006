/** Errors of the local event bus. Each sets `name` so callers and logs can tell them apart. */
export class EventBusError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EventBusError';
  }
}

/**
 * A pattern EventBridge would refuse. `name` is the AWS error code PutRule answers with, and the
 * message follows EventBridge's "Event pattern is not valid. Reason: …" wording, with the JSON path
 * in place of the parser's line and column (patterns reach us as objects, not text).
 */
export class InvalidEventPatternError extends EventBusError {
  constructor(
    readonly reason: string,
    readonly path: string,
  ) {
    super(`Event pattern is not valid. Reason: ${reason}${path ? ` at ${path}` : ''}`);
    this.name = 'InvalidEventPatternException';
  }
}

/** The outbox file holds a line that is not a record and is not a torn final write. */
export class OutboxCorruptError extends EventBusError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'OutboxCorruptError';
  }
}

/**
 * Thrown by an `onMatch` receiver to say the delivery can never succeed (for example the target
 * state machine does not exist). The bus records it as failed and does not retry; every other
 * error is retried with backoff.
 */
export class DeliveryRejectedError extends EventBusError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeliveryRejectedError';
  }
}
