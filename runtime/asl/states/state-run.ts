import type { Frame } from '../frame/frame.js';
import type { JsonataScope } from '../query/jsonata-evaluator.js';
import type { QueryLanguage } from '../query/query-language.js';

/**
 * One evaluation of one state: what every component of the state reads while it runs. Built by
 * `EnteredState`; derive a variant with `derivedRun`, not a spread (a spread would drop `prefix`,
 * which is computed on use).
 */
export interface StateRun {
  readonly frame: Frame;
  readonly stateName: string;
  readonly definition: Readonly<Record<string, unknown>>;
  readonly language: QueryLanguage;
  /** The state's raw input, before InputPath. */
  readonly rawInput: unknown;
  readonly enteredEventId: number;
  readonly enteredPreviousEventId: number;
  /** `An error occurred while executing the state …` prefix for runtime errors. */
  readonly prefix: string;
}

import { stateFailurePrefix } from '../errors/states-error.js';

/**
 * The StateRun of an entered state. A class, so every run has one shape, and `prefix` is built only
 * when an error message needs it: formatting it for every state cost more than a Pass state's own
 * evaluation.
 */
export class EnteredState implements StateRun {
  constructor(
    readonly frame: Frame,
    readonly stateName: string,
    readonly definition: Readonly<Record<string, unknown>>,
    readonly language: QueryLanguage,
    readonly rawInput: unknown,
    readonly enteredEventId: number,
    readonly enteredPreviousEventId: number,
  ) {}

  get prefix(): string {
    return stateFailurePrefix(this.stateName, this.enteredEventId);
  }
}

/** The run with another frame or definition (a Map item's selector, a Choice rule's Output…). */
export function derivedRun(
  run: StateRun,
  change: { readonly frame?: Frame; readonly definition?: Readonly<Record<string, unknown>> },
): StateRun {
  return new EnteredState(
    change.frame ?? run.frame,
    run.stateName,
    change.definition ?? run.definition,
    run.language,
    run.rawInput,
    run.enteredEventId,
    run.enteredPreviousEventId,
  );
}

export function jsonataScope(
  run: StateRun,
  extra: { result?: unknown; errorOutput?: unknown; input?: unknown } = {},
): JsonataScope {
  return {
    states: {
      input: 'input' in extra ? extra.input : run.rawInput,
      context: run.frame.context,
      ...('result' in extra ? { result: extra.result } : {}),
      ...('errorOutput' in extra ? { errorOutput: extra.errorOutput } : {}),
    },
    variables: run.frame.variables.snapshot(),
  };
}

export function jsonPathScope(run: StateRun, input: unknown) {
  return { input, context: run.frame.context, variables: run.frame.variables.snapshot() };
}
