import type { StageId } from '../../model/stage-id.js';
import type {
  Assignments,
  Catcher,
  ChoiceRule,
  JsonValue,
  MapState,
  State,
  Transition,
} from './asl-types.js';
import { type Block, type DeclaredState, renderBlock } from './declared-state.js';

/**
 * The states that route, wait and record without calling a function. Options in PascalCase are
 * written into the ASL as given; `stage` is the builder's stamp. A Choice or Wait state always
 * does some stage's work (it is part of a loop or a decision of that stage), so it must name it;
 * a Pass, Fail or Succeed state may only route.
 */

/** Drops absent optional fields, keeping the order the ASL is written in. */
export function compact<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

function declared(asl: State, stage: StageId | null): DeclaredState<never> {
  return { asl: compact(asl), stage };
}

type PassOptions = {
  readonly stage?: StageId;
  readonly Comment?: string;
  readonly Assign?: Assignments;
  readonly Output?: JsonValue;
} & Transition;

export function pass(options: PassOptions): DeclaredState<never> {
  const { stage, Comment, Assign, Output, Next, End } = options;
  return declared({ Type: 'Pass', Comment, Assign, Output, Next, End } as State, stage ?? null);
}

export function choice(
  stage: StageId,
  options: { readonly Comment?: string; readonly Choices: readonly ChoiceRule[]; readonly Default: string },
): DeclaredState<never> {
  if (options.Choices.length === 0) throw new Error('a Choice state needs at least one rule');
  const { Comment, Choices, Default } = options;
  return declared({ Type: 'Choice', Comment, Choices: Choices.map((c) => compact(c)), Default }, stage);
}

export function wait(
  stage: StageId,
  options: { readonly Comment?: string; readonly Seconds: number | string; readonly Next: string },
): DeclaredState<never> {
  const { Comment, Seconds, Next } = options;
  return declared({ Type: 'Wait', Comment, Seconds, Next }, stage);
}

export function fail(options: {
  readonly stage?: StageId;
  readonly Comment?: string;
  readonly Error: string;
  readonly Cause: string;
}): DeclaredState<never> {
  const { stage, ...fields } = options;
  return declared(
    { Type: 'Fail', Comment: fields.Comment, Error: fields.Error, Cause: fields.Cause },
    stage ?? null,
  );
}

export function succeed(options: {
  readonly Comment?: string;
  readonly Output?: JsonValue;
}): DeclaredState<never> {
  return declared({ Type: 'Succeed', ...options }, null);
}

type MapOptions<F extends string> = {
  readonly Comment?: string;
  readonly Items: string;
  readonly MaxConcurrency: number;
  readonly body: Block<F>;
  readonly Assign?: Assignments;
  readonly Catch?: readonly Catcher[];
} & Transition;

/** An INLINE Map over `Items`; its body's stamps and functions count as the machine's own. */
export function map<F extends string>(options: MapOptions<F>): DeclaredState<F> {
  const { Comment, Items, MaxConcurrency, body, Assign, Catch, Next, End } = options;
  const asl = {
    Type: 'Map',
    Comment,
    Items,
    MaxConcurrency,
    ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, ...renderBlock(body) },
    Assign,
    Catch,
    Next,
    End,
  } as MapState;
  return { asl: compact(asl), stage: null, body };
}
