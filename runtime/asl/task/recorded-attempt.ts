import { StatesError } from '../errors/states-error.js';
import type { HistoryEvent } from '../history/history-event.js';

/** Events that end one attempt of a task, with the details key each carries its result in. */
const TERMINAL: Readonly<Record<string, string>> = {
  LambdaFunctionSucceeded: 'lambdaFunctionSucceededEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
  LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
  LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  TaskStartFailed: 'taskStartFailedEventDetails',
  TaskSubmitFailed: 'taskSubmitFailedEventDetails',
};

/** What the history already holds of the task attempt about to run (recovery replay). */
export interface RecordedAttempt {
  /** When the attempt was scheduled: its TimeoutSeconds keeps counting from then. */
  readonly scheduledAt: number;
  /** The attempt's events up to and including its result, when it has one. */
  readonly events: readonly HistoryEvent[];
  readonly result?:
    | { readonly ok: true; readonly output: unknown }
    | { readonly ok: false; readonly error: StatesError };
}

/**
 * Reads the attempt at the head of a thread's replay queue: undefined when the attempt was never
 * scheduled before the restart; without `result` when it was in flight (it runs again, with the
 * same request); with `result` when it finished (it is not called again).
 */
export function recordedAttempt(pending: readonly HistoryEvent[]): RecordedAttempt | undefined {
  const first = pending[0];
  if (first?.type !== 'LambdaFunctionScheduled' && first?.type !== 'TaskScheduled') return undefined;
  const end = pending.findIndex((e) => TERMINAL[e.type] !== undefined);
  if (end < 0) return { scheduledAt: first.timestamp, events: pending };
  const terminal = pending[end];
  return {
    scheduledAt: first.timestamp,
    events: pending.slice(0, end + 1),
    result: resultOf(terminal, terminal[TERMINAL[terminal.type]]),
  };
}

function resultOf(event: HistoryEvent, details: unknown): RecordedAttempt['result'] {
  const fields = details !== null && typeof details === 'object' ? details : {};
  if (event.type.endsWith('Succeeded')) {
    const output = 'output' in fields && typeof fields.output === 'string' ? fields.output : 'null';
    return { ok: true, output: JSON.parse(output) };
  }
  const error = 'error' in fields && typeof fields.error === 'string' ? fields.error : '';
  const cause = 'cause' in fields && typeof fields.cause === 'string' ? fields.cause : undefined;
  return { ok: false, error: new StatesError(error, cause) };
}
