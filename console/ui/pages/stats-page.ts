import { getJson } from '../api.js';
import { lineChart } from '../charts.js';
import { clear, h } from '../dom.js';
import { duration, runLink } from '../format.js';

interface Week {
  start: number;
  deployments: number;
  failures: number;
  leadTimeMedianMs: number | null;
}
interface EnvDora {
  environment: string;
  deployments: number;
  deploymentsPerWeek: number;
  leadTime: { medianMs: number | null; p90Ms: number | null; samples: number };
  failedDeployments: number;
  changeFailureRate: number | null;
  timeToRestore: { medianMs: number | null; samples: number };
  weeks: Week[];
}
type Group = 'refresh' | 'migrate' | 'tests' | 'deploy';
interface Stats {
  dora: { days: number; environments: EnvDora[] };
  stages: {
    runs: Array<{
      name: string;
      number?: number;
      startedAt: number;
      durations: Record<Group, number | null>;
    }>;
    medians: Record<Group, number | null>;
  };
}

const GROUPS: Group[] = ['refresh', 'migrate', 'tests', 'deploy'];
const WINDOWS = [30, 90, 180, 365, 730];

/** The four DORA measures per environment and the stage durations of the last runs, as charts and tables. */
export function statsPage(main: HTMLElement): () => void {
  let destroyers: Array<() => void> = [];
  let days = 90;
  const out = h('div', { 'aria-live': 'polite' });
  const error = h('p', { class: 'error', role: 'alert' });
  clear(main);
  main.append(
    h('h1', {}, 'Delivery statistics'),
    h(
      'form',
      { class: 'filters', 'aria-label': 'Statistics window', onsubmit: (e: Event) => e.preventDefault() },
      h(
        'label',
        {},
        'Window ',
        h(
          'select',
          {
            name: 'days',
            onchange: (e: Event) => {
              days = Number((e.target as HTMLSelectElement).value);
              void load();
            },
          },
          WINDOWS.map((d) => h('option', { value: d, selected: d === days }, `last ${d} days`)),
        ),
      ),
    ),
    error,
    out,
  );

  async function load(): Promise<void> {
    try {
      const stats = await getJson<Stats>('/api/stats', { days: String(days), runs: '30' });
      error.textContent = '';
      for (const destroy of destroyers) destroy();
      destroyers = [];
      clear(out);
      out.append(...render(stats, (d) => destroyers.push(d)));
      out.setAttribute('data-loaded', 'true');
    } catch (e) {
      error.textContent = `Could not load the statistics: ${(e as Error).message}`;
    }
  }
  void load();
  return () => {
    for (const destroy of destroyers) destroy();
  };
}

function render(stats: Stats, keep: (destroy: () => void) => void): HTMLElement[] {
  const envs = stats.dora.environments;
  const weeks = envs[0]?.weeks ?? [];
  const x = weeks.map((w) => Math.round(w.start / 1000));
  const last = envs.at(-1);
  const frequency = lineChart({
    title: 'Deployments per week, per environment',
    x,
    time: true,
    yLabel: 'deployments',
    series: envs.map((e) => ({ label: e.environment, values: e.weeks.map((w) => w.deployments) })),
  });
  const lead = lineChart({
    title: `Lead time from commit to ${last?.environment ?? 'the last environment'} (median per week)`,
    x,
    time: true,
    yLabel: 'lead time',
    formatY: (v) => duration(v),
    series: last ? [{ label: last.environment, values: last.weeks.map((w) => w.leadTimeMedianMs) }] : [],
  });
  const runs = stats.stages.runs;
  const stages = lineChart({
    title: `Stage durations over the last ${runs.length} finished runs`,
    x: runs.map((r, i) => r.number ?? i + 1),
    time: false,
    yLabel: 'duration',
    formatY: (v) => duration(v),
    formatX: (v) => `#${v}`,
    series: GROUPS.map((g) => ({ label: g, values: runs.map((r) => r.durations[g]) })),
  });
  for (const chart of [frequency, lead, stages]) keep(chart.destroy);
  const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
  return [
    h(
      'section',
      { 'aria-labelledby': 'dora-h' },
      h('h2', { id: 'dora-h' }, `DORA measures, last ${stats.dora.days} days`),
      h(
        'table',
        { class: 'dora' },
        h('caption', { class: 'sr-only' }, 'The four DORA measures per environment'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            [
              'Environment',
              'Deployments',
              'Per week',
              'Lead time p50',
              'Lead time p90',
              'Change failure rate',
              'Time to restore p50',
            ].map((t) => h('th', { scope: 'col' }, t)),
          ),
        ),
        h(
          'tbody',
          {},
          envs.map((e) =>
            h(
              'tr',
              { 'data-env': e.environment },
              h('th', { scope: 'row' }, e.environment),
              h('td', {}, String(e.deployments)),
              h('td', {}, String(e.deploymentsPerWeek)),
              h('td', {}, duration(e.leadTime.medianMs)),
              h('td', {}, duration(e.leadTime.p90Ms)),
              h('td', {}, `${pct(e.changeFailureRate)} (${e.failedDeployments} failed)`),
              h('td', {}, duration(e.timeToRestore.medianMs)),
            ),
          ),
        ),
      ),
      h('div', { class: 'charts' }, frequency.figure, lead.figure),
    ),
    h(
      'section',
      { 'aria-labelledby': 'stages-h' },
      h('h2', { id: 'stages-h' }, 'Stage durations'),
      h(
        'p',
        { class: 'muted' },
        'Median of the runs below: ',
        GROUPS.map((g) => `${g} ${duration(stats.stages.medians[g])}`).join(' · '),
      ),
      h('div', { class: 'charts' }, stages.figure),
      h(
        'details',
        {},
        h('summary', {}, 'The numbers'),
        h(
          'table',
          { class: 'stage-durations' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ['Run', ...GROUPS].map((t) => h('th', { scope: 'col' }, t)),
            ),
          ),
          h(
            'tbody',
            {},
            runs.map((r) =>
              h(
                'tr',
                {},
                h('td', {}, runLink(r.name, r.number ? `#${r.number}` : r.name)),
                GROUPS.map((g) => h('td', {}, duration(r.durations[g]))),
              ),
            ),
          ),
        ),
      ),
    ),
  ];
}
