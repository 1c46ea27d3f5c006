import type { Clock } from '../../functions/shared/clock.js';
import type { ApprovalStore } from '../../functions/shared/ports/approval-store.js';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import { canaryView } from '../../model/canary-steps.js';
import { commitUrl, type RepositoryWeb } from '../../model/commit-link.js';
import { readableFailure } from '../../model/failure-text.js';
import { RunFold } from '../../model/run-fold.js';
import { commitFromInput } from '../../model/run-summary.js';
import { stageGraph } from '../../model/stage-graph.js';
import { NotFoundError } from './errors.js';
import type { GraphModel } from './graph-model.js';
import { approvalTrail, releaseInfo } from './ledger-views.js';
import { parseJson, redact } from './redact.js';
import { redriveStartOnGraph } from './redrive-view.js';
import { callSfn, type ExecutionDescription, fullHistory, type SfnApi, toMs } from './sfn-api.js';

export interface RunDetailDeps {
  readonly sfn: SfnApi;
  readonly ledger: Pick<Ledger, 'query'>;
  readonly approvals: Pick<ApprovalStore, 'listPending'>;
  readonly clock: Clock;
  readonly config: { readonly environments: ReadonlyArray<{ readonly name: string }> };
  /** The pipeline's graph: where a redrive would resume. */
  readonly graph?: GraphModel;
  /** The git host's repository, for the link to the run's commit. */
  readonly repository?: RepositoryWeb | null;
}

/** Everything the run page shows, assembled from the history, the ledger and pending approvals. */
export async function runDetail(deps: RunDetailDeps, executionArn: string) {
  const d = await callSfn<ExecutionDescription>(deps.sfn, 'DescribeExecution', { executionArn });
  const events = await fullHistory(deps.sfn, executionArn);
  const running = d.status === 'RUNNING';
  const timeline = RunFold.timeline(
    events.map((e) => ({ ...e, timestamp: toMs(e.timestamp) })),
    { running, now: deps.clock.now().getTime() },
  );
  const entries = await deps.ledger.query({ executionArn });
  const releaseVersion = entries.find((e) => e.releaseVersion)?.releaseVersion ?? null;
  const releaseEntries = releaseVersion
    ? await deps.ledger.query({ kinds: ['release'], releaseVersion })
    : [];
  const pending = running ? await deps.approvals.listPending({ executionArn }) : [];
  const startDate = toMs(d.startDate) ?? 0;
  const commit = commitFromInput(d.input);
  const stopDate = toMs(d.stopDate) ?? null;
  return redact({
    run: {
      name: d.name,
      executionArn: d.executionArn,
      status: d.status,
      startDate,
      stopDate,
      durationMs: (stopDate ?? deps.clock.now().getTime()) - startDate,
      ...commit,
      commitUrl: commitUrl(deps.repository ?? null, commit.commit),
      error: d.error ?? null,
      cause: d.cause ?? null,
      failure: failureOf(d.cause),
      readableFailure: d.error || d.cause ? readableFailure(d.error, d.cause) : null,
      redrivable:
        d.redriveStatus === 'REDRIVABLE' ||
        (d.redriveStatus === undefined && ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(d.status)),
      redriveCount: d.redriveCount ?? 0,
      redriveFrom: deps.graph && d.status !== 'RUNNING' ? redriveStartOnGraph(events, deps.graph) : null,
    },
    release: releaseVersion ? releaseInfo(releaseEntries, releaseVersion) : null,
    timeline,
    stageGraph: stageGraph(
      timeline,
      deps.config.environments.map((e) => e.name),
    ),
    // In config order, so the page can say which environments a stopped run never touched.
    environments: deps.config.environments.map((e) => e.name),
    approvals: approvalTrail(entries, executionArn),
    canary: canaryView(entries),
    pendingApprovals: pending.map((p) => ({
      id: p.id,
      environment: p.environment,
      approvers: p.approvers,
      minApprovals: p.minApprovals,
      requestedAt: p.requestedAt,
      expiresAt: p.expiresAt,
      votes: p.votes,
    })),
    ledger: entries,
  });
}

export async function requireExecution(sfn: SfnApi, executionArn: string, name: string): Promise<void> {
  try {
    await callSfn(sfn, 'DescribeExecution', { executionArn });
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`no run named ${JSON.stringify(name)}`);
    throw error;
  }
}

function failureOf(cause: unknown) {
  const parsed = parseJson(cause) as Record<string, unknown> | undefined;
  if (!parsed || typeof parsed !== 'object' || typeof parsed.stage !== 'string') return null;
  return {
    stage: parsed.stage,
    environment: typeof parsed.environment === 'string' ? parsed.environment : null,
    error: typeof parsed.error === 'string' ? parsed.error : null,
    cause: typeof parsed.cause === 'string' ? parsed.cause : null,
    rolledBack: parsed.rolledBack ?? null,
  };
}
