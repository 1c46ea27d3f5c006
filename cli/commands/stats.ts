import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { type DoraReport, doraMeasures } from '../../model/dora.js';
import { RunFold } from '../../model/run-fold.js';
import {
  DURATION_GROUP_NAMES,
  runDurations,
  type StageDurationReport,
  stageDurations,
} from '../../model/stage-durations.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { formatDuration } from '../client/format.js';
import { emit, table } from '../client/output.js';
import { ALL_RUNS, executionHistory, listRuns, numberRuns } from '../client/pipeline-api.js';

interface PipelineStats {
  readonly pipeline: string;
  readonly dora: DoraReport;
  readonly stages: StageDurationReport;
}

export interface StatsOptions extends CommonOptions {
  readonly days?: string;
  readonly runs?: string;
}

/**
 * `tollgate stats`: the DORA measures per environment from the ledger (the console's charts read
 * the same fold, model/dora.ts) and how long refresh, migrate, tests and deploy took in the last
 * runs, per pipeline.
 */
export async function statsCommand(options: StatsOptions): Promise<void> {
  const days = wholeNumber(options.days, '--days', 90, 1, 3660);
  const last = wholeNumber(options.runs, '--runs', 20, 1, 200);
  const target = createTarget(options);
  const entries = await (await target.ledger()).query();
  const all = await listRuns(target, { limit: ALL_RUNS });
  const numbers = numberRuns(all);
  const now = Date.now();
  const machines = new Set(all.map((r) => r.stateMachineArn));
  const pipelines: PipelineStats[] = [];
  for (const [pipeline, own] of byPipeline(entries)) {
    // Environments in the order the ledger first saw them, which is the pipeline's order.
    const environments = [...new Set(own.filter((e) => e.environment).map((e) => e.environment!))];
    // Locally each pipeline has its state machine `tollgate-<name>`; a deployed stack has one.
    const ofPipeline = (arn: string) =>
      machines.size === 1 || arn.endsWith(`:stateMachine:tollgate-${pipeline}`);
    const finished = all
      .filter((r) => r.status !== 'RUNNING' && ofPipeline(r.stateMachineArn))
      .slice(0, last);
    const durations = [];
    for (const run of finished) {
      const history = await executionHistory(target, run.executionArn);
      const timeline = RunFold.timeline(history, { now, running: false });
      durations.push({ ...runDurations(run.name, timeline), number: numbers.get(run.executionArn) });
    }
    pipelines.push({
      pipeline,
      dora: doraMeasures(own, environments, { now, days }),
      stages: stageDurations(durations),
    });
  }
  emit(options.json, { pipelines }, () =>
    pipelines.length === 0 ? ['nothing in the ledger yet'] : pipelines.flatMap(humanLines),
  );
}

function humanLines({ pipeline, dora, stages }: PipelineStats): string[] {
  const ms = (v: number | null) => (v === null ? '-' : formatDuration(v));
  return [
    `${pipeline}: last ${dora.days} days`,
    ...table([
      ['ENV', 'DEPLOYS', 'PER WEEK', 'LEAD TIME p50', 'p90', 'FAILED', 'FAILURE RATE', 'RESTORE p50'],
      ...dora.environments.map((e) => [
        e.environment,
        String(e.deployments),
        String(e.deploymentsPerWeek),
        ms(e.leadTime.medianMs),
        ms(e.leadTime.p90Ms),
        String(e.failedDeployments),
        e.changeFailureRate === null ? '-' : `${Math.round(e.changeFailureRate * 100)} %`,
        ms(e.timeToRestore.medianMs),
      ]),
    ]),
    `stage durations, last ${stages.runs.length} finished runs (median): ${DURATION_GROUP_NAMES.map(
      (g) => `${g} ${ms(stages.medians[g])}`,
    ).join(', ')}`,
    '',
  ];
}

function byPipeline(entries: readonly StoredLedgerEntry[]): Map<string, StoredLedgerEntry[]> {
  const out = new Map<string, StoredLedgerEntry[]>();
  for (const e of entries) {
    const list = out.get(e.pipeline);
    if (list) list.push(e);
    else out.set(e.pipeline, [e]);
  }
  return out;
}

function wholeNumber(
  text: string | undefined,
  flag: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`, ExitCode.Usage);
  return n;
}
