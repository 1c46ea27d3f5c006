import type { StatesError } from '../errors/states-error.js';
import type { StateRun } from './state-run.js';

const published = new WeakSet<StatesError>();

/**
 * Publishes `EvaluationFailed` once per error. AWS links it to the event before the state was
 * entered, not to the state's last event.
 */
export async function publishEvaluationFailed(run: StateRun, error: StatesError): Promise<void> {
  if (published.has(error)) return;
  published.add(error);
  run.frame.cursor.sourceEventId = run.enteredPreviousEventId;
  await run.frame.services.recorder.add(run.frame.cursor, 'EvaluationFailed', {
    evaluationFailedEventDetails: {
      ...(error.causeText !== undefined ? { cause: error.causeText } : {}),
      error: error.error,
      ...(error.location !== undefined ? { location: error.location } : {}),
      state: run.stateName,
    },
  });
}
