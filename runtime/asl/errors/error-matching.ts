import { StatesErrorName } from './states-error.js';

/**
 * Does an ErrorEquals list match this error? `States.ALL` matches anything but States.Runtime
 * (AWS documents it as terminal); `States.TaskFailed` matches anything but States.Timeout.
 */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  for (const name of errorEquals) {
    if (name === error) return true;
    if (name === StatesErrorName.All && error !== StatesErrorName.Runtime) return true;
    if (
      name === StatesErrorName.TaskFailed &&
      error !== StatesErrorName.Timeout &&
      error !== StatesErrorName.Runtime &&
      !error.startsWith('States.') // only errors raised by the task itself
    ) {
      return true;
    }
  }
  return false;
}
