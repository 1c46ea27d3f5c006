import { JsonPathError, StatesRuntimeError } from './errors.js';
import { toCompactJson } from './json-value.js';
import { querySegments } from './path-evaluator.js';
import { parsePath } from './path-parser.js';
import { parseReference } from './reference.js';

/**
 * Evaluates a `$`-rooted JSONPath over `data`, the way Step Functions (Jayway JsonPath) does:
 * a definite path gives its value, an indefinite one (`[*]`, `..`, slices, filters) gives an array.
 *
 * When nothing matches it throws `States.Runtime`. The cause depends on `field`:
 * - a payload key ending in `.$` (`value.$`): "The JSONPath '$.x' specified for the field
 *   'value.$' could not be found in the input '{...}'" (recorded for Parameters);
 * - anything else (InputPath, OutputPath, ItemsPath, ...): "Invalid path '$.x' : No results for
 *   path: $['x']" (recorded for OutputPath; Jayway's own message after the colon).
 * The interpreter prepends "An error occurred while executing the state ...".
 */
export function evaluatePath(path: string, data: unknown, field?: string): unknown {
  const outcome = querySegments(data, parsePath(path).segments);
  if (outcome.found) return outcome.value;
  if (field?.endsWith('.$')) {
    throw new StatesRuntimeError(
      `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${toCompactJson(data)}'`,
    );
  }
  throw new StatesRuntimeError(`Invalid path '${path}' : ${outcome.reason}`);
}

/**
 * Returns why `path` is not a valid JSONPath (one line), or undefined when it is. Accepts input
 * paths (`$...`), context paths (`$$...`) and variable references (`$name...`).
 */
export function validatePath(path: string): string | undefined {
  if (typeof path !== 'string') return 'a path must be a string';
  try {
    parseReference(path);
    return undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return error.message;
    throw error;
  }
}
