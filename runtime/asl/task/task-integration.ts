/** How a `.sync`, `.waitForTaskToken` or plain request is run for a non-Lambda service resource. */
export const IntegrationPattern = {
  RequestResponse: 'REQUEST_RESPONSE',
  Sync: 'RUN_JOB',
  WaitForTaskToken: 'WAIT_FOR_TASK_TOKEN',
} as const;
export type IntegrationPattern = (typeof IntegrationPattern)[keyof typeof IntegrationPattern];

export interface IntegrationRequest {
  /** The resource without its pattern suffix, e.g. `arn:aws:states:::codebuild:startBuild`. */
  readonly resource: string;
  readonly pattern: IntegrationPattern;
  readonly parameters: unknown;
  readonly executionArn: string;
  readonly stateName: string;
  readonly signal: AbortSignal;
}

/**
 * A pluggable service integration. It returns the task result, or throws an Error whose `name`
 * is the ASL error (e.g. `CodeBuild.BuildFailed`) and whose `message` is the cause.
 */
export interface TaskIntegration {
  run(request: IntegrationRequest): Promise<unknown>;
}

/** Keyed by the resource without suffix; `arn:aws:states:::lambda:invoke` is built in. */
export type IntegrationRegistry = Readonly<Record<string, TaskIntegration>>;
