import { type EngineClock, sleepUntil } from '../../runtime/engine/clock.js';
import type { LocalHandler } from '../../runtime/engine/lambda/object-lambda-invoker.js';

/**
 * The recorded cases' Python Lambda functions (lambdas/*.py), re-implemented in JS. Keyed by the
 * source file name the index gives for each function.
 */
export function caseLambda(source: string, clock: EngineClock): LocalHandler {
  switch (source) {
    case 'lambdas/id_function.py':
      return (event) => event;
    case 'lambdas/raise_exception.py':
      return () => {
        // Python's `Exception` surfaces as errorType "Exception".
        const err = new Error('Some exception was raised.');
        err.name = 'Exception';
        throw err;
      };
    case 'lambdas/wait_60_seconds.py':
      return async (event) => {
        await sleepUntil(clock, clock.now() + 60_000);
        return event;
      };
    case 'lambdas/return_bytes_str.py':
      // The Python handler returns the bytes of the JSON text "HelloWorld!".
      return () => JSON.parse('"HelloWorld!"');
    case 'lambdas/large_output_string.py':
      return () => 'a'.repeat(257 * 1024);
    default:
      throw new Error(`No JS re-implementation for ${source}`);
  }
}
