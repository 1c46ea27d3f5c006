/** Errors raised by the engine stores. Each carries one line that says what went wrong and where. */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** A record handed to `append`/`compact` is not a JSON object with a string `t`. Nothing was written. */
export class InvalidRecordError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidRecordError';
  }
}

/** The store was closed (or failed and closed itself) before the call. */
export class StoreClosedError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreClosedError';
  }
}

/** Another live process holds the data directory. */
export class StoreLockedError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreLockedError';
  }
}

/**
 * The log is damaged somewhere other than its tail. A torn tail is expected after a crash and is
 * repaired silently; damage followed by intact records means acknowledged data is at stake, so the
 * store refuses to open rather than drop it.
 */
export class CorruptLogError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CorruptLogError';
  }
}
