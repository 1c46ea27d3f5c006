import { TOLLGATE_ERRORS, type TollgateErrorName } from '../../functions/shared/errors.js';

/**
 * The Tollgate error names a Retry may list: those the error catalogue (functions/shared/errors.ts)
 * marks retryable. Typed from the catalogue, so retrying a name it calls final does not compile.
 */
export type RetryableErrorName = {
  [N in TollgateErrorName]: (typeof TOLLGATE_ERRORS)[N]['retryable'] extends true ? N : never;
}[TollgateErrorName];

/** The name, checked against the catalogue at run time too (a cast cannot slip a final error in). */
export function retryableError(name: RetryableErrorName): RetryableErrorName {
  if (TOLLGATE_ERRORS[name]?.retryable !== true)
    throw new Error(`${name} is not retryable in functions/shared/errors.ts; a Retry cannot list it`);
  return name;
}
