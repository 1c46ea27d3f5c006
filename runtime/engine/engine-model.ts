import type { ExecutionHistory } from './execution-history.js';

export const ExecutionStatus = {
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  TimedOut: 'TIMED_OUT',
  Aborted: 'ABORTED',
  PendingRedrive: 'PENDING_REDRIVE',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/** A top-level transition: the state about to be entered, its input and the variables so far. */
export type Checkpoint = {
  readonly stateName: string;
  readonly inputText: string;
  readonly variables: Record<string, unknown>;
  readonly sourceEventId: number;
  /** The id the state's Entered event gets. */
  readonly enteredEventId: number;
};

export interface StateMachineVersion {
  readonly definition: string;
  readonly roleArn: string;
  readonly updateDate: number;
  readonly revisionId: string;
}

export interface StateMachineRecord {
  readonly arn: string;
  readonly name: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  readonly creationDate: number;
  current: StateMachineVersion;
  loggingConfiguration: unknown;
  tracingConfiguration: unknown;
  description?: string;
  deleting: boolean;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly inputText: string;
  readonly definition: string;
  readonly roleArn: string;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  outputText?: string;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
  /** Where the latest redrive started its run (recovery replays from there). */
  redriveFrom?: Checkpoint;
  readonly history: ExecutionHistory;
  /** The last top-level transition, where redrive and recovery continue from. */
  checkpoint?: Checkpoint;
  /** Stops the current run; its signal is built only when a state listens (see LazyAbortController). */
  controller: { readonly signal: AbortSignal; abort(reason?: unknown): void };
  /** Settles when the current run of the execution has reached a terminal event. */
  done: Promise<void>;
  /**
   * The write of StartExecution's record while it is not yet durable, undefined once it is (and
   * for every execution read back from the store). The run starts before the write completes;
   * until it does, the API treats the execution as not existing (see EngineCore.execution).
   */
  startWrite: Promise<void> | undefined;
}

export function isTerminal(status: ExecutionStatus): boolean {
  return status !== ExecutionStatus.Running;
}
