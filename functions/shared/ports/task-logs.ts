/**
 * The log lines a run's tasks wrote, per task state: what the console shows under each stage and
 * `tollgate logs` prints. On AWS they are the Lambda functions' CloudWatch Logs, written by
 * Powertools with the execution and state on every line; locally the function runner keeps them
 * per execution, bounded (functions/shared/adapters/local/file-task-logs.ts).
 */
export interface TaskLogLine {
  /** ISO 8601, as Powertools writes it. */
  readonly at: string;
  readonly level: string;
  readonly message: string;
  /** The ASL state whose task wrote it. */
  readonly state: string;
  /** The environment the task worked on, when its input names one. */
  readonly environment: string | null;
  /** The task's function (Powertools' service name). */
  readonly service: string | null;
  /** Everything else on the line (error names, counts), as written. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface TaskLogPage {
  readonly lines: readonly TaskLogLine[];
  /** Lines were dropped to keep the store bounded; the first ones were kept. */
  readonly truncated: boolean;
}

export interface TaskLogs {
  /** Every kept line of the run, in the order written. */
  read(executionArn: string): Promise<TaskLogPage>;
}

/** Where a task's logger hands each line as it prints it (locally; Lambda's stdout is CloudWatch's). */
export interface TaskLogSink {
  write(record: Readonly<Record<string, unknown>>): void;
}
