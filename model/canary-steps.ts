import type { StoredLedgerEntry } from '../functions/shared/ports/ledger.js';

/**
 * The canary steps of one run, read from its ledger (`canary-step` and `canary-traffic` entries):
 * per step its traffic share, each metric for canary vs baseline with its threshold, and the
 * decision. `tollgate show` prints them and the console's run page draws them, from this one fold.
 */
interface CanaryMetricRow {
  readonly metric: string;
  readonly canary: number | null;
  readonly baseline: number | null;
  readonly threshold: number | null;
  readonly thresholdKind: string | null;
  readonly verdict: string;
  readonly reason: string;
}

interface CanaryStepRow {
  readonly environment: string;
  /** 1-based, as people count steps. */
  readonly step: number;
  readonly percent: number;
  readonly look: number;
  readonly at: string;
  readonly canaryVersion: string | null;
  readonly baselineVersion: string | null;
  readonly verdict: string;
  /** What the pipeline did next: `next step`, `complete`, `wait again` or `abort`. */
  readonly decision: string;
  readonly metrics: readonly CanaryMetricRow[];
}

interface CanaryOutcome {
  readonly environment: string;
  readonly action: 'abort' | 'complete';
  readonly at: string;
  /** Who serves afterwards (the baseline after an abort, the canary after complete). */
  readonly serving: string | null;
  readonly reason: string | null;
}

export interface CanaryView {
  readonly steps: readonly CanaryStepRow[];
  readonly outcomes: readonly CanaryOutcome[];
}

// biome-ignore lint/suspicious/noExplicitAny: ledger data is untyped JSON, each field checked where read
type Json = Record<string, any>;
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const text = (v: unknown) => (typeof v === 'string' ? v : null);

export function canaryView(entries: readonly StoredLedgerEntry[]): CanaryView {
  const outcomes: CanaryOutcome[] = entries
    .filter((e) => e.kind === 'canary-traffic' && (e.data.action === 'abort' || e.data.action === 'complete'))
    .map((e) => ({
      environment: e.environment ?? '-',
      action: e.data.action as 'abort' | 'complete',
      at: e.at,
      serving: text((e.data.split as Json | undefined)?.baseline),
      reason: text(e.data.reason),
    }));
  const completed = new Set(outcomes.filter((o) => o.action === 'complete').map((o) => o.environment));
  const analyses = entries.filter((e) => e.kind === 'canary-step');
  const steps = analyses.map((e, i): CanaryStepRow => {
    const d = e.data as Json;
    const environment = e.environment ?? '-';
    const verdict = String(d.verdict ?? '?');
    const laterInEnv = analyses.slice(i + 1).some((n) => n.environment === e.environment);
    return {
      environment,
      step: (num(d.step) ?? 0) + 1,
      percent: num(d.percent) ?? 0,
      look: num(d.look) ?? 1,
      at: e.at,
      canaryVersion: text(d.canary),
      baselineVersion: text(d.baseline),
      verdict,
      decision:
        verdict === 'fail'
          ? 'abort'
          : verdict === 'inconclusive'
            ? 'wait again'
            : !laterInEnv && completed.has(environment)
              ? 'complete'
              : 'next step',
      metrics: (Array.isArray(d.checks) ? d.checks : []).map((c: Json) => ({
        metric: String(c.metric ?? '?'),
        canary: num(c.value),
        baseline: num(c.baseline),
        threshold: num(c.threshold),
        thresholdKind: text(c.thresholdKind),
        verdict: String(c.verdict ?? '?'),
        reason: String(c.reason ?? ''),
      })),
    };
  });
  return { steps, outcomes };
}

const figure = (n: number | null) => (n === null ? '-' : String(Number(n.toPrecision(4))));

/** The canary as text lines for the terminal: one line per step, one indented line per metric. */
export function canaryLines(view: CanaryView): string[] {
  const lines: string[] = [];
  for (const s of view.steps) {
    lines.push(
      `${s.environment}: canary step ${s.step} (${s.percent}% traffic)${s.look > 1 ? ` look ${s.look}` : ''}: ${s.verdict} → ${s.decision}`,
    );
    for (const m of s.metrics) {
      const bound =
        m.threshold === null
          ? ''
          : ` ${m.thresholdKind === 'min' ? '≥' : '≤'} ${figure(m.threshold)}${m.thresholdKind ? ` (${m.thresholdKind})` : ''}`;
      lines.push(
        `  ${m.metric}: canary ${figure(m.canary)} vs baseline ${figure(m.baseline)}${bound}  ${m.verdict}${m.verdict === 'pass' ? '' : `: ${m.reason}`}`,
      );
    }
  }
  for (const o of view.outcomes) {
    lines.push(
      o.action === 'abort'
        ? `${o.environment}: canary aborted, traffic back on ${o.serving ?? 'the baseline'}${o.reason ? ` (${o.reason})` : ''}`
        : `${o.environment}: canary completed, ${o.serving ?? 'the release'} takes all traffic`,
    );
  }
  return lines;
}
