import type { StatesError } from '../errors/states-error.js';

/** What evaluating one state leads to. */
export type StateOutcome =
  | {
      readonly kind: 'next';
      readonly next: string;
      readonly output: unknown;
      /** `output` as payload text, when the state recorded it (its Exited event) */
      readonly outputText?: string;
    }
  | { readonly kind: 'end'; readonly output: unknown }
  | { readonly kind: 'failed'; readonly error: StatesError };

/** What a state's own evaluation produced before the common exit steps. */
export interface StateEvaluation {
  readonly output: unknown;
  /** Next state, or undefined for a terminal state. */
  readonly next: string | undefined;
  readonly assigned?: Record<string, unknown>;
}
