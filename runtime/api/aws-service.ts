/**
 * The seam between the HTTP server (AWS JSON 1.0 protocol, SigV4) and what serves an AWS API
 * locally (the engine for `AWSStepFunctions.*`, the event bus for `AWSEvents.*`).
 *
 * A service takes the operation name (the part after the dot in X-Amz-Target) and the parsed JSON
 * request, and returns the JSON response. It throws AwsApiError for anything AWS would answer with a
 * 4xx/5xx, using AWS's error code and message for that operation.
 */
export interface AwsJsonService {
  /** The X-Amz-Target prefix this service answers, e.g. `AWSStepFunctions` or `AWSEvents`. */
  readonly targetPrefix: string;
  dispatch(operation: string, request: unknown): Promise<unknown>;
}

export class AwsApiError extends Error {
  constructor(
    /** AWS error code, e.g. `ExecutionAlreadyExists`; sent as `__type` and `x-amzn-ErrorType`. */
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}
