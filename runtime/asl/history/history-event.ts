import type { HistoryCursor } from './history-cursor.js';

/** One GetExecutionHistory event as AWS returns it (timestamp in epoch milliseconds here). */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly type: string;
  readonly timestamp: number;
  readonly [details: string]: unknown;
}

/**
 * Where a state's events go: assigns ids, links them and persists them before resolving.
 *
 * Recovery replays: after a restart the execution runs again from its start, and while the
 * cursor's thread still has events recorded before the restart, `add` hands back the recorded
 * event (its id, its links) instead of recording a new one. `pending` shows those events so a
 * state can skip work whose outcome is already in the history: a task's call, a Wait's sleep.
 */
export interface HistoryRecorder {
  add(
    cursor: HistoryCursor,
    type: string,
    details?: Record<string, unknown>,
    options?: { readonly updateSource?: boolean },
  ): Promise<number>;
  /** The events of the cursor's thread still to be replayed, oldest first; empty once it runs live. */
  pending(cursor: HistoryCursor): readonly HistoryEvent[];
}

/** The details key AWS uses for each event type that carries details. */
export function detailsKeyFor(type: string): string | undefined {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  const explicit: Record<string, string> = {
    ExecutionStarted: 'executionStartedEventDetails',
    ExecutionSucceeded: 'executionSucceededEventDetails',
    ExecutionFailed: 'executionFailedEventDetails',
    ExecutionAborted: 'executionAbortedEventDetails',
    ExecutionTimedOut: 'executionTimedOutEventDetails',
    ExecutionRedriven: 'executionRedrivenEventDetails',
    EvaluationFailed: 'evaluationFailedEventDetails',
    MapStateStarted: 'mapStateStartedEventDetails',
    MapIterationStarted: 'mapIterationStartedEventDetails',
    MapIterationSucceeded: 'mapIterationSucceededEventDetails',
    MapIterationFailed: 'mapIterationFailedEventDetails',
    MapIterationAborted: 'mapIterationAbortedEventDetails',
    MapRunStarted: 'mapRunStartedEventDetails',
    MapRunFailed: 'mapRunFailedEventDetails',
    LambdaFunctionScheduled: 'lambdaFunctionScheduledEventDetails',
    LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
    LambdaFunctionSucceeded: 'lambdaFunctionSucceededEventDetails',
    LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
    LambdaFunctionScheduleFailed: 'lambdaFunctionScheduleFailedEventDetails',
    LambdaFunctionStartFailed: 'lambdaFunctionStartFailedEventDetails',
    TaskScheduled: 'taskScheduledEventDetails',
    TaskStarted: 'taskStartedEventDetails',
    TaskSubmitted: 'taskSubmittedEventDetails',
    TaskSucceeded: 'taskSucceededEventDetails',
    TaskFailed: 'taskFailedEventDetails',
    TaskTimedOut: 'taskTimedOutEventDetails',
    TaskStartFailed: 'taskStartFailedEventDetails',
    TaskSubmitFailed: 'taskSubmitFailedEventDetails',
  };
  return explicit[type];
}
