import type { HistoryCursor } from './history-cursor.js';

/** One GetExecutionHistory event as AWS returns it (timestamp in epoch milliseconds here). */
export interface HistoryEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly type: string;
  readonly timestamp: number;
  readonly [details: string]: unknown;
}

export interface RecordOptions {
  /** False for events that are published without becoming the source of what follows. */
  readonly updateSource?: boolean;
}

/** `stateEnteredEventDetails` as AWS records it. */
export interface StateEnteredDetails {
  readonly name: string;
  readonly input: string;
  readonly inputDetails: { readonly truncated: boolean };
}

/** `stateExitedEventDetails` as AWS records it (assignments only when the state assigned some). */
export interface StateExitedDetails {
  readonly name: string;
  readonly output: string;
  readonly outputDetails: { readonly truncated: boolean };
  readonly assignedVariables?: Readonly<Record<string, string>>;
  readonly assignedVariablesDetails?: { readonly truncated: boolean };
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
  /**
   * Records the event and gives its id: at once when nothing has to be waited for (memory mode, or
   * an event no side effect depends on), so a chain of Pass and Choice states runs without a
   * promise turn per event; otherwise once the event is durable.
   */
  add(
    cursor: HistoryCursor,
    type: string,
    details?: Record<string, unknown>,
    options?: RecordOptions,
  ): number | Promise<number>;
  /**
   * `add` for a state's `<Type>StateEntered` event, `at` the time the caller read for it. Every
   * state records this and its Exited event, so each has a method of its own: the event is then
   * one object literal, where `add` has to spread `details` into it (several times the cost).
   */
  addStateEntered(
    cursor: HistoryCursor,
    type: string,
    at: number,
    details: StateEnteredDetails,
  ): number | Promise<number>;
  /** `add` for a state's `<Type>StateExited` event (see addStateEntered). */
  addStateExited(
    cursor: HistoryCursor,
    type: string,
    at: number,
    details: StateExitedDetails,
  ): number | Promise<number>;
  /** The events of the cursor's thread still to be replayed, oldest first; empty once it runs live. */
  pending(cursor: HistoryCursor): readonly HistoryEvent[];
}
