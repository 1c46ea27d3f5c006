import type { HistoryCursor } from '../history/history-cursor.js';
import type { StateRun } from '../states/state-run.js';
import type { IssuedTaskToken } from './task-token-broker.js';

/** What a resource runner needs for one attempt of a Task state. */
export interface TaskInvocation {
  readonly run: StateRun;
  readonly cursor: HistoryCursor;
  readonly parameters: unknown;
  readonly timeoutSeconds?: number;
  readonly heartbeatSeconds?: number;
  /** Aborted when the attempt times out or the execution stops. */
  readonly signal: AbortSignal;
  /** Set once the attempt has published its terminal event, so a late timer publishes nothing. */
  readonly settle: () => boolean;
  /** True while no terminal event has been published for this attempt. */
  readonly live: () => boolean;
  /** The token of a `.waitForTaskToken` task. */
  readonly taskToken?: IssuedTaskToken;
}
