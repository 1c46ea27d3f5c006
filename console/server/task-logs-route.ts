import type { TaskLogLine, TaskLogs } from '../../functions/shared/ports/task-logs.js';
import { stageOf } from '../../model/stage-of-state.js';
import { BadRequestError } from './errors.js';
import { redact } from './redact.js';

/** A task's log line with the stage its state works for, as the run page groups them. */
export interface StageLogLine extends TaskLogLine {
  readonly stage: string | null;
}

const STAGE = /^[a-z][a-z-]{0,39}$/;

/**
 * `GET /api/runs/{name}/logs?stage=S&environment=E`: the run's task log lines, optionally only one
 * stage's (in one environment), redacted on the way out like every other answer.
 */
export async function stageLogs(
  taskLogs: TaskLogs,
  executionArn: string,
  query: URLSearchParams,
  environments: readonly string[],
): Promise<{ lines: StageLogLine[]; truncated: boolean }> {
  const stage = query.get('stage');
  const environment = query.get('environment');
  if (stage !== null && !STAGE.test(stage))
    throw new BadRequestError(
      `stage must be a stage id like "deploy", got ${JSON.stringify(stage.slice(0, 40))}`,
    );
  if (environment !== null && !environments.includes(environment))
    throw new BadRequestError(
      `environment must be one of ${environments.join(', ')}, got ${JSON.stringify(environment.slice(0, 40))}`,
    );
  const page = await taskLogs.read(executionArn);
  const lines = page.lines
    .map((line) => ({ ...line, stage: stageOf(line.state, 'Task') }))
    .filter(
      (line) =>
        (stage === null || line.stage === stage) &&
        (environment === null || line.environment === environment),
    );
  return redact({ lines, truncated: page.truncated });
}
