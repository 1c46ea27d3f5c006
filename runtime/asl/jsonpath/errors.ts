/**
 * Errors the JSONPath query language raises. `name` is the ASL error name so the interpreter's
 * Retry/Catch matching sees exactly what AWS would report. Messages are AWS's cause texts without
 * the "An error occurred while executing the state 'X' (entered at the event id #N). " prefix:
 * only the interpreter knows the state and the event id, so it prepends that part.
 */
export class JsonPathError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'States.Runtime';
  }
}

/** `States.Runtime`: a path matched nothing, a ResultPath could not be applied, a bad reference. */
export class StatesRuntimeError extends JsonPathError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'States.Runtime';
  }
}

/** `States.IntrinsicFailure`: an intrinsic function got arguments it cannot work with. */
export class IntrinsicFailureError extends JsonPathError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'States.IntrinsicFailure';
  }
}

/**
 * A syntactically invalid path or intrinsic expression. It carries the `States.Runtime` name
 * because at run time (e.g. a `.$` key whose value came from input) AWS reports it that way; at
 * definition time the engine turns `validatePath` messages into `InvalidDefinition` instead.
 */
export class PathSyntaxError extends JsonPathError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'States.Runtime';
  }
}

/** `States.ResultPathMatchFailure`: ResultPath cannot be applied to the state's input. */
export class ResultPathMatchFailureError extends JsonPathError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'States.ResultPathMatchFailure';
  }
}
