import { RunFold } from '../../model/run-fold.js';
import { RUN_STATES, type RunState, type RunStateView, runState } from '../../model/run-state.js';
import { commitFromInput } from '../../model/run-summary.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { formatDuration } from '../client/format.js';
import { emit, isoOrNull, table } from '../client/output.js';
import {
  ALL_RUNS,
  type ExecutionItem,
  executionHistory,
  listRuns,
  numberRuns,
  send,
} from '../client/pipeline-api.js';

/** The executions a run in each state can be: ListExecutions filters by these first. */
const EXECUTION_STATUS: Readonly<Record<RunState, string | undefined>> = {
  queued: 'RUNNING',
  running: 'RUNNING',
  waiting: 'RUNNING',
  succeeded: 'SUCCEEDED',
  skipped: 'SUCCEEDED',
  // Timed-out and redrivable runs failed too.
  failed: undefined,
  'rolled-back': undefined,
  aborted: 'ABORTED',
};
const CONCURRENCY = 8;

export interface RunsOptions extends CommonOptions {
  readonly status?: string;
  readonly limit?: string;
}

/** `tollgate runs`: newest first, with the commit each run is for. */
export async function runsCommand(options: RunsOptions): Promise<void> {
  const state = options.status?.toLowerCase() as RunState | undefined;
  if (state !== undefined && !RUN_STATES.includes(state)) {
    throw new CliError(
      `--status must be one of ${RUN_STATES.join(', ')}, got "${options.status}"`,
      ExitCode.Usage,
    );
  }
  const limit = options.limit === undefined ? 20 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new CliError(`--limit must be an integer from 1 to 1000, got "${options.limit}"`, ExitCode.Usage);
  }
  const target = createTarget(options);
  const status = state ? EXECUTION_STATUS[state] : undefined;
  // Numbers count every run of the pipeline, so list them all; a state keeps the first `limit` that match.
  const all = await listRuns(target, { limit: ALL_RUNS });
  const numbers = numberRuns(all);
  const listed = status ? all.filter((r) => r.status === status) : all;
  const rows: Row[] = [];
  for (let i = 0; i < listed.length && rows.length < limit; i += CONCURRENCY) {
    const chunk = await Promise.all(
      listed
        .slice(i, i + CONCURRENCY)
        .map((run) => rowOf(target, run, numbers.get(run.executionArn) ?? null)),
    );
    rows.push(...chunk.filter((row) => !state || row.state === state));
  }
  rows.splice(limit);
  emit(options.json, { runs: rows }, () =>
    rows.length === 0
      ? [
          state
            ? `no ${state} runs`
            : 'no runs yet; commit, or emit the event for HEAD with `npx tollgate push`',
        ]
      : table([
          ['#', 'RUN', 'STATE', 'COMMIT', 'STARTED', 'TOOK', 'MESSAGE'],
          ...rows.map((r) => [
            r.number === null ? '-' : `#${r.number}`,
            r.name,
            r.environment ? `${r.state} ${r.environment}` : r.state,
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

type Row = Awaited<ReturnType<typeof rowOf>>;

/** One run with its commit and its state, read from its history through the model's fold. */
async function rowOf(target: ReturnType<typeof createTarget>, run: ExecutionItem, number: number | null) {
  const described = await send(target, () =>
    target.reads.call('DescribeExecution', { executionArn: run.executionArn }),
  );
  const commit = commitFromInput(described.input);
  const history = await executionHistory(target, run.executionArn);
  const state: RunStateView = runState(
    RunFold.timeline(history, { now: Date.now(), running: described.status === 'RUNNING' }),
  );
  return {
    number,
    name: run.name,
    executionArn: run.executionArn,
    status: run.status,
    state: state.state,
    environment: state.environment,
    approvers: state.approvers,
    startDate: isoOrNull(run.startDate),
    stopDate: isoOrNull(run.stopDate),
    commit: commit.commit,
    branch: commit.branch,
    author: commit.author,
    message: commit.message ? commit.message.split('\n')[0]! : null,
  };
}
