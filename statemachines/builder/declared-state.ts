import type { StageId } from '../../model/stage-id.js';
import type { State, StateBlock } from './asl-types.js';

/**
 * A state as the builder declares it: the ASL it renders to, plus what the ASL cannot carry (Step
 * Functions rejects unknown fields): the stage it does work for and the Lambda function it calls.
 * `F` is the function's name as a literal type, so the task list is derived from the declarations.
 */
export interface DeclaredState<F extends string = string> {
  readonly asl: State;
  /** `null` for states that only route (an environment's entry, the run's end). */
  readonly stage: StageId | null;
  readonly fn?: F;
  /** The body of a Map state. */
  readonly body?: Block<F>;
}

export interface Block<F extends string = string> {
  readonly startAt: string;
  readonly states: Readonly<Record<string, DeclaredState<F>>>;
}

type FunctionOf<D> = D extends DeclaredState<infer F> ? F : never;

/** The states of one block (the machine's top level, or a Map body), in declaration order. */
export function block<const T extends Readonly<Record<string, DeclaredState<string>>>>(
  startAt: keyof T & string,
  states: T,
): Block<FunctionOf<T[keyof T]>> {
  if (!Object.hasOwn(states, startAt))
    throw new Error(`block starts at ${startAt}, which it does not declare`);
  // T's values are DeclaredState<F1> | DeclaredState<F2> | …, which is DeclaredState<F1 | F2 | …>
  // read-only; TypeScript does not see that union widening through the record type by itself.
  return { startAt, states: states as unknown as Block<FunctionOf<T[keyof T]>>['states'] };
}

export function renderBlock(b: Block): StateBlock {
  return {
    StartAt: b.startAt,
    States: Object.fromEntries(Object.entries(b.states).map(([name, d]) => [name, d.asl])),
  };
}

/** Every declared state, Map bodies included, as [name, declaration], in declaration order. */
export function* walk(b: Block): Generator<readonly [string, DeclaredState]> {
  for (const [name, declared] of Object.entries(b.states)) {
    yield [name, declared];
    if (declared.body) yield* walk(declared.body);
  }
}
