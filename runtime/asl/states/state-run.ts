import type { Frame } from '../frame/frame.js';
import type { JsonataScope } from '../query/jsonata-evaluator.js';
import type { QueryLanguage } from '../query/query-language.js';

/** One evaluation of one state: what every component of the state reads while it runs. */
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
