import type { RunEvent } from '../../model/run-event.js';

/**
 * A run's execution history built the way the engine records it: ids in order, each event
 * following the last, task results wrapped as Lambda's invoke returns them.
 */
export function runHistory() {
  const events: RunEvent[] = [];
  const ev = (type: string, details: Record<string, unknown> = {}) => {
    const id = events.length + 1;
    events.push({ id, previousEventId: id - 1, type, timestamp: id * 100, ...details });
  };
  const entered = (kind: string, name: string, input: unknown = {}) =>
    ev(`${kind}StateEntered`, { stateEnteredEventDetails: { name, input: JSON.stringify(input) } });
  const exited = (kind: string, name: string) =>
    ev(`${kind}StateExited`, { stateExitedEventDetails: { name } });
  const task = (name: string, payload: unknown = {}) => {
    entered('Task', name);
    ev('TaskScheduled', { taskScheduledEventDetails: {} });
    ev('TaskSucceeded', {
      taskSucceededEventDetails: { output: JSON.stringify({ Payload: payload, StatusCode: 200 }) },
    });
    exited('Task', name);
  };
  /** The Map iteration that runs one environment's stages. */
  const environment = (name: string) => {
    ev('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Environments', index: 0 } });
    entered('Pass', 'EnterEnvironment', { name });
    exited('Pass', 'EnterEnvironment');
  };
  return { events, ev, entered, exited, task, environment };
}

export type RunHistory = ReturnType<typeof runHistory>;
