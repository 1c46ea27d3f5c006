/**
 * Errors the console's routes answer with. Each carries the HTTP status it maps to, and its message
 * is one line that is safe to show (it never echoes a token or a secret).
 */
export class ConsoleError extends Error {
  readonly status: number = 500;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleError';
  }
}

/** The request itself is wrong: an unknown filter value, a malformed cursor, a bad name. */
export class BadRequestError extends ConsoleError {
  override readonly status = 400;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BadRequestError';
  }
}

export class NotFoundError extends ConsoleError {
  override readonly status = 404;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

export class MethodNotAllowedError extends ConsoleError {
  override readonly status = 405;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MethodNotAllowedError';
  }
}

/** Refused by the mutation check (origin, CSRF) or the Host check. */
export class ForbiddenError extends ConsoleError {
  override readonly status = 403;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

/** The Step Functions API refused the operation (e.g. a run that cannot be redriven). */
export class ConflictError extends ConsoleError {
  override readonly status = 409;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** The ASL given to the graph model is not a state machine we can draw. */
export class GraphModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GraphModelError';
  }
}

/** ConsoleDeps are missing or wrong; raised once, when the routes are created. */
export class ConsoleConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConsoleConfigError';
  }
}
