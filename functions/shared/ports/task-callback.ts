/**
 * Resumes a run that waits at a `waitForTaskToken` task (Step Functions SendTaskSuccess /
 * SendTaskFailure; the same SFN client reaches the local engine with `endpoint` set). The token is
 * a bearer credential for the run: only the approve path holds it, and no error or log line an
 * adapter produces ever contains it.
 */
export interface TaskCallback {
  /** `output` is serialised to JSON and becomes the task's result. */
  sendSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  /** `error` is the ASL error name the run's Catch matches; `cause` a human-readable detail. */
  sendFailure(token: string, error: string, cause: string): Promise<void>;
}
