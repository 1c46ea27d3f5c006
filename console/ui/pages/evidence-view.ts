import { h } from '../dom.js';
import { duration } from '../format.js';
import type { Json } from '../json.js';

/** One stage's evidence, as small tables a reviewer can read at a glance. */
export function evidenceView(evidence: Json[]): HTMLElement[] {
  return evidence.map((e) => {
    switch (e.kind) {
      case 'smoke-tests':
        return table(
          'Smoke tests',
          ['Check', 'Result', 'HTTP', 'Attempts', 'Time'],
          e.checks.map((c: Json) => [
            c.name,
            c.ok ? 'passed' : `failed${c.error ? `: ${c.error}` : ''}`,
            c.status ?? '—',
            c.attempts ?? '—',
            duration(c.durationMs),
          ]),
        );
      case 'tests':
        return testReport(e);
      case 'data-checks':
        return table(
          'Data checks',
          ['Check', 'Result', 'Violations', 'Sample (masked)'],
          e.checks.map((c: Json) => [
            c.check,
            c.passed ? 'passed' : 'failed',
            String(c.count),
            c.sample.join(', ') || '—',
          ]),
        );
      case 'masking':
        return table(
          'Masking verification',
          ['Check', 'Column', 'Result', 'Count', 'Detail'],
          e.checks.map((c: Json) => [
            c.check,
            `${c.table}${c.column ? `.${c.column}` : ''}`,
            c.passed ? 'passed' : 'failed',
            String(c.count),
            c.detail,
          ]),
        );
      case 'masked-columns':
        return h(
          'p',
          { class: 'ev' },
          `Masked ${e.totalRows ?? '?'} rows across ${e.rules.length} column rule(s).`,
        );
      case 'migrations':
        return table(
          'Migrations applied',
          ['Version', 'Name', 'Time'],
          e.applied.length
            ? e.applied.map((m: Json) => [String(m.version), m.name, duration(m.durationMs)])
            : [['—', 'none new', '—']],
        );
      case 'snapshot':
        return table(
          'Snapshot provenance',
          ['Field', 'Value'],
          Object.entries(e.provenance).map(([k, v]) => [
            k,
            typeof v === 'object' ? JSON.stringify(v) : String(v),
          ]),
        );
      case 'deployment':
        return h(
          'p',
          { class: 'ev' },
          `Deployment ${e.deploymentId ?? ''}${e.version ? ` of ${e.version}` : ''}${e.state ? ` — ${e.state.toLowerCase()}` : ''}`,
        );
      case 'rollback':
        return h(
          'p',
          { class: 'ev' },
          `Rollback: ${e.action}; running ${e.restoredVersion ?? 'nothing'} instead of ${e.failedVersion ?? '?'}`,
        );
      case 'release':
        return h(
          'p',
          { class: 'ev' },
          'Release ',
          h('a', { href: `#/releases/${encodeURIComponent(e.version)}` }, e.version),
          ` (${e.digest ?? ''})`,
        );
      case 'approval':
        return h(
          'p',
          { class: 'ev' },
          `Approval ${e.status ?? ''}${e.expiresAt ? `, expires ${new Date(e.expiresAt).toLocaleString()}` : ''}`,
        );
      case 'approved':
        return h(
          'p',
          { class: 'ev' },
          e.approvals
            .map(
              (a: Json) =>
                `Approved by ${a.approver}${a.at ? ` at ${new Date(a.at).toLocaleString()}` : ''}${a.comment ? ` — “${a.comment}”` : ''}`,
            )
            .join('; ') || 'Approved',
        );
      default:
        return h('pre', { class: 'ev' }, JSON.stringify(e, null, 2));
    }
  });
}

/**
 * A test stage's report: failing stages first, each failing test with its message, then the
 * thresholds with what was measured, and the last output lines of a stage that failed.
 */
function testReport(e: Json): HTMLElement {
  const stages = [...e.tests].sort((a: Json, b: Json) => Number(a.passed) - Number(b.passed));
  const rows: Array<Array<string | number>> = stages.flatMap((t: Json) => [
    [
      t.name,
      t.passed ? 'passed' : `failed: ${t.reasons.join('; ')}`,
      t.total === null ? '—' : `${t.total - (t.failedCount ?? 0)}/${t.total}`,
      duration(t.durationMs),
    ],
    ...t.failures.map((f: Json) => [`  ✗ ${f.suite ? `${f.suite} > ` : ''}${f.name}`, f.message, '', '']),
    ...t.thresholds.map((h: Json) => [`  ${h.passed ? '✓' : '✗'} ${h.metric}`, h.detail, '', '']),
    ...(t.passed || t.output.length === 0 ? [] : [['  output', t.output.join('\n'), '', '']]),
  ]);
  return table(`Tests${e.after ? ` after ${e.after}` : ''}`, ['Test', 'Result', 'Passed', 'Time'], rows);
}

function table(title: string, head: string[], rows: Array<Array<string | number>>): HTMLElement {
  return h(
    'table',
    { class: 'ev' },
    h('caption', {}, title),
    h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, String(c)))))),
  );
}
