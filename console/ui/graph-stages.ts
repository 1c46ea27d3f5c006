import { h } from './dom.js';
import type { Json } from './json.js';

const STATUS_WORDS: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  running: 'running',
  waiting: 'waiting',
  interrupted: 'interrupted',
  skipped: 'skipped',
  pending: 'not yet',
  'not-run': 'not run',
};

/**
 * The run at a glance (model/stage-graph.ts): one row per lane, the stages in run order, each
 * coloured and named by its state. A stage that ran is a button that takes the reader (and the
 * keyboard focus) to its card in the timeline below; one that did not is plain text.
 */
export function stageGraphView(rows: Json[], onPick: (environment: string | null, stage: string) => void) {
  return h(
    'div',
    { class: 'stage-graph' },
    ...rows.map((row: Json) => {
      const lane = row.environment ?? 'pipeline';
      return h(
        'div',
        { class: 'sg-row', 'data-lane': lane },
        h('span', { class: 'sg-lane' }, lane),
        h(
          'ol',
          { class: 'sg-nodes', 'aria-label': `${lane} stages` },
          ...row.nodes.map((n: Json) => {
            const words = STATUS_WORDS[n.status] ?? n.status;
            const ran = n.status !== 'pending' && n.status !== 'not-run';
            const attrs = {
              class: `sg-node st-${n.status}`,
              'data-stage': n.stage,
              'data-status': n.status,
              title: `${n.label}: ${words}`,
            };
            return h(
              'li',
              {},
              ran
                ? h(
                    'button',
                    {
                      ...attrs,
                      type: 'button',
                      'aria-label': `${n.label} in ${lane}: ${words}`,
                      onclick: () => onPick(row.environment ?? null, n.stage),
                    },
                    n.label,
                  )
                : h('span', attrs, n.label, h('span', { class: 'sr-only' }, `: ${words}`)),
            );
          }),
        ),
      );
    }),
  );
}
