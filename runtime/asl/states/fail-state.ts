import { StatesError } from '../errors/states-error.js';
import { BaseState } from './base-state.js';
import { readDynamicField } from './dynamic-value.js';
import type { StateEvaluation } from './state-outcome.js';
import type { StateRun } from './state-run.js';

/** Ends the execution (or branch) with Error/Cause; AWS publishes no FailStateExited. */
export class FailState extends BaseState {
  readonly type = 'Fail';

  protected async evaluate(run: StateRun): Promise<StateEvaluation> {
    const error = await readDynamicField(run, 'Error');
    const cause = await readDynamicField(run, 'Cause');
    throw new FailStateError(textOf(error.value), cause.present ? textOf(cause.value) : undefined);
  }
}

function textOf(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A Fail state's error: `error` is '' when the state gives none (AWS then omits the field). */
class FailStateError extends StatesError {}
