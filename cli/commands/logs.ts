import { FileTaskLogs, taskLogsDir } from '../../functions/shared/adapters/local/file-task-logs.js';
import type { TaskLogs } from '../../functions/shared/ports/task-logs.js';
import { STAGES, stageDefinition } from '../../model/stage-catalogue.js';
import { stageOf } from '../../model/stage-of-state.js';
import {
  type AwsCliTarget,
  type CliTarget,
  type CommonOptions,
  createTarget,
} from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';
import { findRun } from '../client/pipeline-api.js';

export interface LogsOptions extends CommonOptions {
  readonly stage?: string;
  readonly env?: string;
}

/**
 * `tollgate logs RUN [--stage S] [--env E]`: the log lines the run's tasks wrote, in the order
 * written, each with its environment, stage and state; what the console shows under each stage.
 * Locally from the runtime's task log store; with --aws from the stack's CloudWatch log groups.
 */
export async function logsCommand(run: string, options: LogsOptions): Promise<void> {
  if (options.stage !== undefined && !stageDefinition(options.stage))
    throw new CliError(
      `--stage must be one of ${STAGES.map((s) => s.id).join(', ')}; got "${options.stage}"`,
      ExitCode.Usage,
    );
  const target = createTarget(options);
  const described = await findRun(target, run);
  const page = await (await taskLogsOf(target)).read(described.executionArn!);
  const all = page.lines.map((l) => ({ ...l, stage: stageOf(l.state, 'Task') }));
  if (options.env !== undefined && !all.some((l) => l.environment === options.env)) {
    const seen = [...new Set(all.map((l) => l.environment).filter((e): e is string => e !== null))];
    throw new CliError(
      `run ${described.name} has no log lines in environment "${options.env}"${seen.length ? ` (it has: ${seen.join(', ')})` : ''}`,
      ExitCode.Usage,
    );
  }
  const lines = all.filter(
    (l) =>
      (options.stage === undefined || l.stage === options.stage) &&
      (options.env === undefined || l.environment === options.env),
  );
  emit(options.json, { run: described.name, lines, truncated: page.truncated }, () => [
    ...lines.map((l) => {
      const fields = Object.entries(l.fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      return `${l.at} ${l.level.padEnd(5)} ${l.environment ?? '-'} ${l.stage ?? '-'} ${l.state}: ${l.message}${fields ? ` ${fields}` : ''}`;
    }),
    ...(lines.length === 0 ? [`no log lines${options.stage ? ` for stage ${options.stage}` : ''}`] : []),
    ...(page.truncated ? ['(some lines were dropped to keep the run’s log bounded)'] : []),
  ]);
}

/** The runtime's store locally; the task functions' CloudWatch log groups with --aws. */
async function taskLogsOf(target: CliTarget): Promise<TaskLogs> {
  if (target.mode === 'local') return new FileTaskLogs({ dir: taskLogsDir(target.dataDir) });
  const [{ CloudWatchTaskLogs }, { CloudWatchLogsClient }, { stackLogGroups }] = await Promise.all([
    import('../../functions/shared/adapters/aws/cloudwatch-task-logs.js'),
    import('@aws-sdk/client-cloudwatch-logs'),
    import('../aws/stack-log-groups.js'),
  ]);
  return new CloudWatchTaskLogs({
    client: new CloudWatchLogsClient({}),
    logGroups: stackLogGroups((target as AwsCliTarget).stack),
  });
}
