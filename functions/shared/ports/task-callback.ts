/**
 * Resumes a run that waits at a `waitForTaskToken` task (Step Functions SendTaskSuccess /
 * SendTaskFailure; the same SFN client reaches the local engine with `endpoint` set). The token is
 * a bearer credential for the run: only the approve path holds it, and no error or log line an
 * adapter produces ever contains it.
 */
/** How the run a token belongs to stands now (Step Functions DescribeExecution). */
export type RunState =
  | { readonly status: 'RUNNING' }
  | {
      readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
      readonly stoppedAt?: string;
    }
  /** Step Functions no longer knows the execution (its history expired, or it never existed). */
  | { readonly status: 'GONE' };

export interface TaskCallback {
  /** `output` is serialised to JSON and becomes the task's result. */
  sendSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  /** `error` is the ASL error name the run's Catch matches; `cause` a human-readable detail. */
  sendFailure(token: string, error: string, cause: string): Promise<void>;
  /** Whether the run still runs: a vote on an ended run must not count (see approve). */
  runState(executionArn: string): Promise<RunState>;
}
