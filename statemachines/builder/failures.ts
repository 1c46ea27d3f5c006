import type { Catcher } from './asl-types.js';

/**
 * How a failure is recorded: at the run's level in `$failure` (environment null), inside the
 * environments Map in `$envFailure` (its environment named). The two variables differ because a
 * Map iteration's assignments do not reach the outer scope; the Map's own Catch lifts
 * `$envFailure` out of the iteration's error cause.
 */
export interface FailureScope {
  readonly variable: 'failure' | 'envFailure';
  /** JSONata giving the failure's environment. */
  readonly environment: string;
}

export const RUN_SCOPE: FailureScope = { variable: 'failure', environment: 'null' };
export const ENVIRONMENT_SCOPE: FailureScope = { variable: 'envFailure', environment: '$env.name' };

/**
 * A Lambda error's Cause is the JSON of `{errorType, errorMessage, trace}`; the record keeps only the
 * message. Any other cause (a States.* error, CodeBuild's) is kept as it is.
 */
const CAUGHT_CAUSE =
  "($c := $states.errorOutput.Cause; $type($c) = 'string' and $substring($c, 0, 1) = '{' ? ($p := $parse($c); $type($p.errorMessage) = 'string' ? $p.errorMessage : $c) : $c)";

/** The failure record `{stage, environment, error, cause}`; `error` and `cause` are JSONata. */
export function failureRecord(scope: FailureScope, stage: string, error: string, cause: string): string {
  return `{% {'stage': '${stage}', 'environment': ${scope.environment}, 'error': ${error}, 'cause': ${cause}} %}`;
}

/** Catches anything, records it as a failure of `stage` and goes to `next`. */
export function recordFailure(scope: FailureScope, stage: string, next: string): Catcher {
  return {
    ErrorEquals: ['States.ALL'],
    Assign: { [scope.variable]: failureRecord(scope, stage, '$states.errorOutput.Error', CAUGHT_CAUSE) },
    Next: next,
  };
}

/**
 * Catches anything during the clean-up of a failed environment: the first failure stays the
 * record, and this error is added to it under `key` (`rollbackError`, `restoreError`).
 */
export function addToEnvironmentFailure(key: string, next: string): Catcher {
  return {
    ErrorEquals: ['States.ALL'],
    Assign: {
      envFailure: `{% $merge([$envFailure, {'${key}': $states.errorOutput.Error & ': ' & $states.errorOutput.Cause}]) %}`,
    },
    Next: next,
  };
}

/** Catches `errors` and goes on to `next`, recording nothing. */
export function catchAndContinue(errors: readonly string[], next: string): Catcher {
  return { ErrorEquals: errors, Next: next };
}
