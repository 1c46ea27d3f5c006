import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { commitFromInput } from '../../model/run-summary.js';
import { formatDuration } from '../../runtime/up/format.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit, isoOrNull, table } from '../client/output.js';
import { listRuns, send } from '../client/pipeline-api.js';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'];

export interface RunsOptions extends CommonOptions {
  readonly status?: string;
  readonly limit?: string;
}

/** `tollgate runs`: newest first, with the commit each run is for. */
export async function runsCommand(options: RunsOptions): Promise<void> {
  const status = options.status?.toUpperCase();
  if (status !== undefined && !STATUSES.includes(status)) {
    throw new CliError(
      `--status must be one of ${STATUSES.join(', ')}, got "${options.status}"`,
      ExitCode.Usage,
    );
  }
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CliError(`--limit must be an integer from 1 to 1000, got "${options.limit}"`, ExitCode.Usage);
  }
  const target = createTarget(options);
  const runs = await listRuns(target, { status, limit });
  const rows = await Promise.all(
    runs.map(async (run) => {
      const described = await send(target, () =>
        target.sfn().send(new DescribeExecutionCommand({ executionArn: run.executionArn })),
      );
      const commit = commitFromInput(described.input);
      return {
        name: run.name,
        executionArn: run.executionArn,
        status: run.status,
        startDate: isoOrNull(run.startDate),
        stopDate: isoOrNull(run.stopDate),
        commit: commit.commit,
        branch: commit.branch,
        author: commit.author,
        message: commit.message ? commit.message.split('\n')[0]! : null,
      };
    }),
  );
  emit(options.json, { runs: rows }, () =>
    rows.length === 0
      ? ['no runs yet; commit, or emit the event for HEAD with `npx tollgate push`']
      : table([
          ['RUN', 'STATUS', 'COMMIT', 'STARTED', 'TOOK', 'MESSAGE'],
          ...rows.map((r) => [
            r.name,
            r.status,
            r.commit?.slice(0, 7) ?? '-',
            r.startDate ?? '-',
            r.startDate
              ? formatDuration((r.stopDate ? Date.parse(r.stopDate) : Date.now()) - Date.parse(r.startDate))
              : '-',
            r.message ?? '',
          ]),
        ]),
  );
}
