import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { canaryLines, canaryView } from '../../model/canary-steps.js';
import { extractEvidence } from '../../model/evidence.js';
import { evidenceLine } from '../../model/evidence-line.js';
import { contentsLines, releaseContentsView } from '../../model/release-contents-view.js';
import { RunFold } from '../../model/run-fold.js';
import { listedStages } from '../../model/run-timeline.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { formatDuration } from '../client/format.js';
import { emit, isoOrNull, table } from '../client/output.js';
import { ALL_RUNS, executionHistory, findRun, listRuns, numberRuns } from '../client/pipeline-api.js';

/** `tollgate show RUN`: the stage timeline per environment, with evidence from history and ledger. */
export async function showCommand(run: string, options: CommonOptions): Promise<void> {
  const target = createTarget(options);
  const described = await findRun(target, run);
  const executionArn = described.executionArn!;
  const events = await executionHistory(target, executionArn);
  // The run's short number, counted as `tollgate runs` counts it.
  const number = numberRuns(await listRuns(target, { limit: ALL_RUNS })).get(executionArn) ?? null;
  const timeline = RunFold.timeline(events, { now: Date.now(), running: described.status === 'RUNNING' });
  const view = listedStages(timeline);
  const entries = (await (await target.ledger()).query({ executionArn })) as StoredLedgerEntry[];
  const release = view
    .flatMap((s) => s.evidence)
    .find((e): e is Extract<typeof e, { kind: 'release' }> => e.kind === 'release');
  const approvals = entries
    .filter(
      (e) =>
        e.kind === 'approval-decision' || e.kind === 'approval-refused' || e.kind === 'approval-requested',
    )
    .map((e) => ({
      kind: e.kind,
      environment: e.environment ?? null,
      at: e.at,
      actor: e.actor ?? null,
      outcome: typeof e.data.outcome === 'string' ? e.data.outcome : null,
      decision: typeof e.data.decision === 'string' ? e.data.decision : null,
      comment: typeof e.data.comment === 'string' ? e.data.comment : null,
      reason: typeof e.data.reason === 'string' ? e.data.reason : null,
    }));
  const dataRefresh = entries
    .filter((e) => e.kind === 'data-refresh')
    .map((e) => ({ environment: e.environment ?? null, at: e.at, provenance: e.data }));
  const canary = canaryView(entries);
  const { contents, redeploy } = releaseContentsView(entries);
  const stages = view.map((s) => ({
    environment: s.environment,
    stage: s.stage,
    status: s.status,
    startedAt: isoOrNull(s.startedAt),
    endedAt: isoOrNull(s.endedAt ?? undefined),
    durationMs: s.durationMs,
    error: s.error?.error ?? null,
    cause: s.error?.cause ?? null,
    evidence: s.evidence,
  }));
  const result = {
    run: {
      number,
      name: described.name ?? null,
      executionArn,
      status: described.status ?? timeline.execution.status,
      startDate: isoOrNull(described.startDate),
      stopDate: isoOrNull(described.stopDate),
      commit: timeline.execution.commit,
      release: release?.version ?? null,
      digest: release?.digest ?? null,
      error: described.error ?? null,
      cause: described.cause ?? null,
      output: parse(described.output),
    },
    stages,
    approvals,
    dataRefresh,
    canary,
    contents,
    redeploy,
  };
  emit(options.json, result, () => {
    const c = timeline.execution.commit;
    const lines = [
      `run ${number === null ? '' : `#${number} `}${result.run.name}  ${result.run.status}${result.run.release ? `  release ${result.run.release}` : ''}`,
      `commit ${c?.commit?.slice(0, 7) ?? '-'} on ${c?.branch ?? '-'} by ${c?.author ?? '-'}: ${c?.message?.split('\n')[0] ?? ''}`,
      '',
      ...table([
        ['ENV', 'STAGE', 'STATUS', 'TOOK', 'EVIDENCE'],
        ...view.map((s) => [
          s.environment ?? '-',
          s.stage,
          s.status,
          formatDuration(s.durationMs ?? 0),
          s.status === 'failed'
            ? `${s.error?.error ?? ''} ${firstLine(s.error?.cause ?? undefined)}`.trim()
            : evidenceLine(s.evidence),
        ]),
      ]),
    ];
    for (const a of approvals) {
      lines.push(
        `${a.environment ?? '-'}: ${a.kind.replace('approval-', 'approval ')} by ${a.actor ?? '-'} at ${a.at}` +
          `${a.outcome ? ` (${a.outcome})` : ''}${a.comment ? `: ${a.comment}` : ''}${a.reason ? `: ${a.reason}` : ''}`,
      );
    }
    for (const r of dataRefresh)
      lines.push(
        `${r.environment ?? '-'}: data from ${evidenceLine(extractEvidence({ provenance: r.provenance }))}`,
      );
    if (redeploy)
      lines.push(
        `redeploy to ${redeploy.environment} asked by ${redeploy.requestedBy}${redeploy.reason ? `: ${redeploy.reason}` : ''}${redeploy.notPassed.length ? ` (--skip-earlier: never passed ${redeploy.notPassed.join(', ')})` : ''}`,
      );
    lines.push(...contentsLines(contents));
    const canarySteps = canaryLines(canary);
    if (canarySteps.length) lines.push('', ...canarySteps);
    if (result.run.error) lines.push('', ...failureLines(result.run.error, result.run.cause));
    return lines;
  });
}

function parse(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The run's failure in full: the table cuts a stage's cause to fit a row, this is where the whole
 * cause is read ("… is duplicated" sits past 200 characters in a data-check failure).
 */
export function failureLines(error: string, cause: string | null | undefined): string[] {
  const [first = '', ...rest] = (cause ?? '').trimEnd().split('\n');
  return [`failed: ${error} ${first}`.trimEnd(), ...rest.map((line) => `  ${line}`)];
}

/** A cause cut to one table cell. */
/**
 * A failure's cause in one line: a Lambda error's message rather than its JSON wrapper, and the
 * summary before the evidence JSON the functions append (` | evidence: {…}`), which `--json` and
 * the console show whole.
 */
function firstLine(text: string | undefined): string {
  let message = text ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  return message.split(' | evidence: ')[0]!.split('\n')[0]!.slice(0, 300);
}
