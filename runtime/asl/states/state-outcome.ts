import type { StatesError } from '../errors/states-error.js';

/** What evaluating one state leads to. */
export type StateOutcome =
  | {
      readonly kind: 'next';
      readonly next: string;
      readonly output: unknown;
      /** `output` as payload text, when the state recorded it (its Exited event) */
      readonly outputText?: string;
      /** The error a Catch handled on the way to `next` (TestState reports it as CAUGHT_ERROR). */
      readonly caught?: StatesError;
      /**
       * When the state's Exited event was recorded; the next state, entered with nothing run in
       * between, is entered at that time rather than reading the clock again (see StateProgram).
       */
      readonly exitedAt?: number;
    }
  | {
      readonly kind: 'end';
      readonly output: unknown;
      /** `output` as payload text, when the state recorded it (its Exited event). */
      readonly outputText?: string;
    }
  | { readonly kind: 'failed'; readonly error: StatesError };

/** What a state's own evaluation produced before the common exit steps. */
export interface StateEvaluation {
  readonly output: unknown;
  /** Next state, or undefined for a terminal state. */
  readonly next: string | undefined;
  readonly assigned?: Record<string, unknown>;
  /** Set when a Catch handled an error: `output` is then its error output. */
  readonly caught?: StatesError;
}
