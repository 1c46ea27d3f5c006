import { errorMatches } from './error-matching.js';
import { StatesErrorName } from './states-error.js';

export interface CatcherDefinition {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
  readonly Output?: unknown;
  readonly Assign?: unknown;
}

/** One `Catch` entry: matches an error and says where the execution continues. */
export class Catcher {
  constructor(readonly definition: CatcherDefinition) {}

  matches(error: string): boolean {
    return errorMatches(this.definition.ErrorEquals, error);
  }
}

/**
 * The `{Error, Cause}` object a catcher hands on. AWS omits Cause when there is none, except for
 * States.Timeout, which a Catch receives with `"Cause": ""` (the uncaught ExecutionFailed still
 * shows no cause).
 */
export function errorOutput(error: string, cause: string | undefined): Record<string, string> {
  if (cause !== undefined) return { Error: error, Cause: cause };
  return error === StatesErrorName.Timeout ? { Error: error, Cause: '' } : { Error: error };
}
