/**
 * The subset of Amazon States Language the pipeline uses (JSONata query language), typed, so a
 * state the builder renders has every field its type needs and no field Step Functions rejects.
 * Field order in these interfaces is the order the generated JSON is written in.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Variables a state assigns: name → JSONata expression (`{% … %}`) or literal. */
export type Assignments = Readonly<Record<string, JsonValue>>;

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds: number;
  readonly MaxAttempts: number;
  readonly BackoffRate: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Assign?: Assignments;
  readonly Next: string;
}

/** Exactly one of `Next` and `End` (ASL's transition rule). */
export type Transition =
  | { readonly Next: string; readonly End?: never }
  | { readonly End: true; readonly Next?: never };

export type TaskState = {
  readonly Type: 'Task';
  readonly Comment?: string;
  readonly Resource: string;
  readonly Arguments?: JsonObject;
  /** Seconds, or a JSONata expression giving them. */
  readonly TimeoutSeconds?: number | string;
  readonly Retry?: readonly Retrier[];
  readonly Assign?: Assignments;
  readonly Output?: JsonValue;
  readonly Catch?: readonly Catcher[];
} & Transition;

export interface ChoiceRule {
  readonly Condition: string;
  readonly Assign?: Assignments;
  readonly Next: string;
}

interface ChoiceState {
  readonly Type: 'Choice';
  readonly Comment?: string;
  readonly Choices: readonly ChoiceRule[];
  readonly Default: string;
}

type PassState = {
  readonly Type: 'Pass';
  readonly Comment?: string;
  readonly Assign?: Assignments;
  readonly Output?: JsonValue;
} & Transition;

interface WaitState {
  readonly Type: 'Wait';
  readonly Comment?: string;
  readonly Seconds: number | string;
  readonly Next: string;
}

interface FailState {
  readonly Type: 'Fail';
  readonly Comment?: string;
  readonly Error: string;
  readonly Cause: string;
}

interface SucceedState {
  readonly Type: 'Succeed';
  readonly Comment?: string;
  readonly Output?: JsonValue;
}

export interface StateBlock {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
}

export type MapState = {
  readonly Type: 'Map';
  readonly Comment?: string;
  readonly Items: string;
  readonly MaxConcurrency: number;
  readonly ItemProcessor: { readonly ProcessorConfig: { readonly Mode: 'INLINE' } } & StateBlock;
  readonly Assign?: Assignments;
  readonly Catch?: readonly Catcher[];
} & Transition;

export type State = TaskState | ChoiceState | PassState | WaitState | FailState | SucceedState | MapState;

export interface StateMachineDefinition extends StateBlock {
  readonly Comment: string;
  readonly QueryLanguage: 'JSONata';
  readonly TimeoutSeconds: number;
}
