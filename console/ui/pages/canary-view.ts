import type { CanaryView } from '../../../model/canary-steps.js';
import { h } from '../dom.js';
import { when } from '../format.js';

const figure = (n: number | null) => (n === null ? '—' : String(Number(n.toPrecision(4))));

/**
 * The run's canary steps, one row per metric of each step: traffic share, canary vs baseline, the
 * threshold it was held to and the decision; what `tollgate show` prints, as a table.
 */
export function canarySection(view: CanaryView): HTMLElement {
  const rows = view.steps.flatMap((s) =>
    s.metrics.map((m, i) =>
      h(
        'tr',
        { class: `s-${m.verdict === 'pass' ? 'succeeded' : m.verdict === 'fail' ? 'failed' : 'running'}` },
        ...[
          i === 0 ? s.environment : '',
          i === 0 ? `${s.step}${s.look > 1 ? ` (look ${s.look})` : ''}` : '',
          i === 0 ? `${s.percent}%` : '',
          m.metric,
          figure(m.canary),
          figure(m.baseline),
          m.threshold === null
            ? '—'
            : `${m.thresholdKind === 'min' ? '≥' : '≤'} ${figure(m.threshold)} (${m.thresholdKind})`,
          m.verdict === 'pass' ? 'pass' : `${m.verdict}: ${m.reason}`,
          i === 0 ? s.decision : '',
        ].map((c) => h('td', {}, c)),
      ),
    ),
  );
  return h(
    'section',
    { class: 'lane', 'aria-label': 'Canary steps' },
    h('h3', {}, 'Canary steps'),
    h(
      'table',
      { class: 'ev' },
      h(
        'caption',
        {},
        'Each step: its traffic share, each metric for the canary vs the baseline, and the decision',
      ),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Environment',
            'Step',
            'Traffic',
            'Metric',
            'Canary',
            'Baseline',
            'Threshold',
            'Verdict',
            'Decision',
          ].map((t) => h('th', { scope: 'col' }, t)),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    ...view.outcomes.map((o) =>
      h(
        'p',
        { class: o.action === 'abort' ? 'stage-error' : 'muted' },
        o.action === 'abort'
          ? `${o.environment}: canary aborted at ${when(o.at)}, traffic back on ${o.serving ?? 'the baseline'}${o.reason ? ` (${o.reason})` : ''}`
          : `${o.environment}: canary completed at ${when(o.at)}, ${o.serving ?? 'the release'} takes all traffic`,
      ),
    ),
  );
}
