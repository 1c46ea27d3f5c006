/** Errors in setting up the local API server (bad options, unreadable credentials). */
export class ApiServerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiServerError';
  }
}

/** `<dataDir>/credentials.json` is missing, malformed or too widely readable. */
export class CredentialsError extends ApiServerError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CredentialsError';
  }
}
