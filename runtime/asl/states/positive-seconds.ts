import { StatesError, StatesErrorName } from '../errors/states-error.js';
import { readDynamicField } from './dynamic-value.js';
import type { StateRun } from './state-run.js';

/**
 * Reads TimeoutSeconds or HeartbeatSeconds (a literal, its `…Path` or a JSONata expression): a
 * positive integer, undefined when absent. Task, Map and Parallel states share it.
 */
export async function readPositiveSeconds(
  run: StateRun,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
): Promise<number | undefined> {
  const read = await readDynamicField(run, field);
  if (!read.present) return undefined;
  const v = read.value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new StatesError(
      StatesErrorName.Runtime,
      `${run.prefix} The ${read.fromPath ? `${field}Path` : field} field refers to value ${JSON.stringify(v)} which is not a valid positive integer${read.fromPath ? `: ${read.fromPath}` : ''}`,
    );
  }
  return v;
}
