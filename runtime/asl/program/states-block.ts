import type { StatesError } from '../errors/states-error.js';
import type { Frame } from '../frame/frame.js';
import type { BaseState } from '../states/base-state.js';

/** A `StartAt` + `States` block: a whole state machine, a Parallel branch or a Map item processor. */
export interface StatesBlock {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export type ProgramOutcome =
  | {
      readonly status: 'SUCCEEDED';
      readonly output: unknown;
      /** `output` as payload text, when the last state already serialised it. */
      readonly outputText?: string;
    }
  | { readonly status: 'FAILED'; readonly error: StatesError; readonly failedState?: BaseState };

/**
 * A nested block compiled by the program that holds it and handed to its Map or Parallel state,
 * so the states never build programs themselves (which would make states and program import
 * each other).
 */
export interface ChildProgram {
  run(frame: Frame, input: unknown): Promise<ProgramOutcome>;
}
