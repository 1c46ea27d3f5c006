import { errorMatches } from './error-matching.js';

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

/** The `{Error, Cause}` object a catcher hands on (AWS omits Cause when there is none). */
export function errorOutput(error: string, cause: string | undefined): Record<string, string> {
  return cause === undefined ? { Error: error } : { Error: error, Cause: cause };
}
