import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { extractEvidence } from '../../model/evidence.js';
import { evidenceLine } from '../../model/evidence-line.js';
import { formatDuration } from '../../runtime/up/format.js';
import { RunTimeline, stageDuration } from '../../runtime/up/run-timeline.js';
import { type CommonOptions, createTarget } from '../client/cli-context.js';
import { emit, isoOrNull, table } from '../client/output.js';
import { executionHistory, findRun } from '../client/pipeline-api.js';

/** `tollgate show RUN`: the stage timeline per environment, with evidence from history and ledger. */
export async function showCommand(run: string, options: CommonOptions): Promise<void> {
  const target = createTarget(options);
  const described = await findRun(target, run);
  const executionArn = described.executionArn!;
  const events = await executionHistory(target, executionArn);
  const view = RunTimeline.fold(executionArn, events as Parameters<typeof RunTimeline.fold>[1]);
  const entries = (await (await target.ledger()).query({ executionArn })) as StoredLedgerEntry[];
  const now = Date.now();
  const release = view.stages.find((s) => s.stage === 'register' && s.status === 'succeeded')?.result as
    | { version?: string; digest?: string }
    | undefined;
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
  const stages = view.stages.map((s) => ({
    environment: s.environment,
    stage: s.stage,
    status: s.status,
    startedAt: isoOrNull(s.startedAt),
    endedAt: isoOrNull(s.endedAt),
    durationMs: stageDuration(s, now),
    error: s.error ?? null,
    cause: s.cause ?? null,
    evidence: s.result ?? null,
  }));
  const result = {
    run: {
      name: described.name ?? null,
      executionArn,
      status: described.status ?? view.status,
      startDate: isoOrNull(described.startDate),
      stopDate: isoOrNull(described.stopDate),
      commit: view.commit ?? null,
      release: release?.version ?? null,
      digest: release?.digest ?? null,
      error: described.error ?? null,
      cause: described.cause ?? null,
      output: parse(described.output),
    },
    stages,
    approvals,
    dataRefresh,
  };
  emit(options.json, result, () => {
    const c = view.commit;
    const lines = [
      `run ${result.run.name}  ${result.run.status}${result.run.release ? `  release ${result.run.release}` : ''}`,
      `commit ${c?.commit?.slice(0, 7) ?? '-'} on ${c?.branch ?? '-'} by ${c?.author?.name ?? '-'}: ${c?.message?.split('\n')[0] ?? ''}`,
      '',
      ...table([
        ['ENV', 'STAGE', 'STATUS', 'TOOK', 'EVIDENCE'],
        ...view.stages.map((s) => [
          s.environment ?? '-',
          s.stage,
          s.status,
          formatDuration(stageDuration(s, now)),
          s.status === 'failed'
            ? `${s.error ?? ''} ${firstLine(s.cause)}`.trim()
            : evidenceLine(extractEvidence(s.result)),
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
    if (result.run.error)
      lines.push('', `failed: ${result.run.error} ${firstLine(result.run.cause ?? undefined)}`.trim());
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

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 200);
}
