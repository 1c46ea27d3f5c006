import { JsonPathError } from '../errors.js';
import { parseIntrinsic } from './parser.js';

/**
 * Returns why `expression` is not a valid intrinsic call (unknown function, wrong argument count,
 * nesting deeper than 10, open escape, bad path argument), or undefined when it is. For
 * definition-time InvalidDefinition checks; argument types are only known at run time.
 */
export function validateIntrinsic(expression: string): string | undefined {
  if (typeof expression !== 'string') return 'an intrinsic function call must be a string';
  try {
    parseIntrinsic(expression);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return error.message;
    throw error;
  }
}
