/**
 * An error the state machine can see. `name` is the ASL error name so Retry/Catch match it, and
 * `cause` is the text AWS puts in the history (undefined when AWS omits the field).
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string | undefined,
    /** Where the error came from, for the `EvaluationFailed` event's `location` field. */
    readonly location?: string,
  ) {
    super(causeText ?? error);
    this.name = error;
  }
}

/** Predefined error names from the Amazon States Language spec. */
export const StatesErrorName = {
  All: 'States.ALL',
  Timeout: 'States.Timeout',
  HeartbeatTimeout: 'States.HeartbeatTimeout',
  TaskFailed: 'States.TaskFailed',
  Runtime: 'States.Runtime',
  DataLimitExceeded: 'States.DataLimitExceeded',
  QueryEvaluationError: 'States.QueryEvaluationError',
  BranchFailed: 'States.BranchFailed',
  ExceedToleratedFailureThreshold: 'States.ExceedToleratedFailureThreshold',
  ItemReaderFailed: 'States.ItemReaderFailed',
  IntrinsicFailure: 'States.IntrinsicFailure',
  NoChoiceMatched: 'States.NoChoiceMatched',
  ParameterPathFailure: 'States.ParameterPathFailure',
  ResultPathMatchFailure: 'States.ResultPathMatchFailure',
  Permissions: 'States.Permissions',
} as const;
export type StatesErrorName = (typeof StatesErrorName)[keyof typeof StatesErrorName];

/** AWS prefixes every runtime failure of a state with where it happened. */
export function stateFailurePrefix(stateName: string, enteredEventId: number): string {
  return `An error occurred while executing the state '${stateName}' (entered at the event id #${enteredEventId}).`;
}

/** Normalises anything thrown inside the interpreter into a StatesError. */
export function toStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  if (thrown instanceof Error) {
    const name = thrown.name && thrown.name !== 'Error' ? thrown.name : StatesErrorName.Runtime;
    return new StatesError(name, thrown.message);
  }
  return new StatesError(StatesErrorName.Runtime, String(thrown));
}

/** Thrown when the execution is stopped or aborted from outside; never caught by Catch. */
export class ExecutionAbortedError extends Error {
  constructor(message = 'Execution aborted') {
    super(message);
    this.name = 'ExecutionAborted';
  }
}

/**
 * A Parallel branch or Map iteration stopped from inside the execution: a sibling branch failed or
 * the enclosing state timed out. It unwinds like ExecutionAborted (no Retry, no Catch), but the
 * state in flight records its `<Type>StateAborted` event on the way, as AWS does.
 */
export class StateStoppedError extends ExecutionAbortedError {
  constructor(message: string) {
    super(message);
    this.name = 'ExecutionAborted';
  }
}
