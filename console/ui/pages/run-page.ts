import { stageHelp, stageLabel } from '../../../model/stage-catalogue.js';
import { getJson } from '../api.js';
import { append, clear, h } from '../dom.js';
import { badge, duration, releaseLink, short, when } from '../format.js';
import { stageGraphView } from '../graph-stages.js';
import { graphView } from '../graph-view.js';
import { historyTable } from '../history-table.js';
import type { Json } from '../json.js';
import { onLive } from '../live.js';
import { canarySection } from './canary-view.js';
import { evidenceView } from './evidence-view.js';
import { failureText } from './failure-view.js';
import { redriveControl } from './redrive-confirm.js';
import { stageLogs } from './stage-logs.js';

/** One run: what failed and why first, then a lane per environment, the graph and the raw history. */
export function runPage(main: HTMLElement, name: string): () => void {
  let stopped = false;
  let history: { element: HTMLElement; stop(): void } | null = null;
  const summary = h('div');
  const stages = h('section', { 'aria-labelledby': 'sg-h' }, h('h2', { id: 'sg-h' }, 'Stages'));
  const timeline = h('section', { 'aria-labelledby': 'tl-h' });
  // The full state machine (a hundred states) is laid out only once someone opens it.
  const graphBody = h('div', {}, h('p', { class: 'muted' }, 'Laying out…'));
  const graph = h(
    'details',
    { class: 'full-graph' },
    h('summary', {}, h('h2', { id: 'graph-h' }, 'Full state machine graph')),
    graphBody,
  );
  graph.addEventListener('toggle', () => {
    if (graph.open) void drawGraph();
  });
  const openLogs = new Set<string>();
  const historyCount = h('span', { class: 'muted', role: 'status' });
  const historySection = h(
    'section',
    { 'aria-labelledby': 'hist-h' },
    h('h2', { id: 'hist-h' }, 'Event history ', historyCount),
  );
  clear(main);
  main.append(
    h('p', {}, h('a', { href: '#/runs' }, '← All runs')),
    summary,
    stages,
    graph,
    timeline,
    historySection,
  );

  // The history streams in on its own, so a long one never waits for the timeline or the graph.
  let historyLoaded = 0;
  let historyDone = false;
  const startHistory = () => {
    history?.stop();
    history?.element.remove();
    historyDone = false;
    history = historyTable(name, (n, done) => {
      historyLoaded = n;
      historyDone = done;
      historyCount.textContent = `(${n} event${n === 1 ? '' : 's'}${done ? '' : ', loading…'})`;
    });
    historySection.append(history.element);
  };
  startHistory();

  let graphModel: Json = null;
  let lastStatus = '';
  let stateStatus: Record<string, string> = {};
  async function drawGraph(): Promise<void> {
    if (!graph.open) return;
    graphModel ??= await getJson('/api/graph');
    const status = JSON.stringify(stateStatus);
    if (status === lastStatus || stopped) return;
    lastStatus = status;
    const view = await graphView(graphModel, stateStatus);
    clear(graphBody);
    graphBody.append(view);
  }
  async function load(): Promise<void> {
    try {
      const detail = await getJson<Json>(`/api/runs/${encodeURIComponent(name)}`);
      if (stopped) return;
      renderSummary(detail);
      renderStages(detail);
      renderTimeline(detail);
      if (historyDone && detail.timeline.eventCount !== historyLoaded) startHistory();
      stateStatus = detail.timeline.stateStatus;
      await drawGraph();
    } catch (e) {
      clear(summary);
      summary.append(
        h('h1', {}, name),
        h('p', { class: 'error', role: 'alert' }, `Could not load this run: ${(e as Error).message}`),
      );
    }
  }

  function renderStages(detail: Json): void {
    clear(stages);
    stages.append(
      h('h2', { id: 'sg-h' }, 'Stages'),
      stageGraphView(detail.stageGraph, (environment, stage) => {
        const lane = timeline.querySelector(`section[data-environment="${CSS.escape(environment ?? '')}"]`);
        const card = lane?.querySelector<HTMLElement>(`li.stage[data-stage="${CSS.escape(stage)}"]`);
        card?.scrollIntoView({ block: 'center' });
        card?.focus();
      }),
    );
  }

  // What the last action said; kept across the re-render that action's reload causes, which would
  // otherwise wipe the message before anyone could read it.
  let notice = '';
  function renderSummary(detail: Json): void {
    const run = detail.run;
    clear(summary);
    const note = h('p', { role: 'status' }, notice);
    const redrive = run.redrivable
      ? redriveControl(run, (message) => {
          notice = message;
          note.textContent = message;
          void load();
        })
      : null;
    const redriveHint = redrive
      ? h(
          'p',
          { class: 'muted' },
          'Redrive re-runs this same release from the state where the run stopped, after the earlier states’ results. Use it when the cause was outside the release (an outage, a full disk); a fix in the code needs a new commit.',
        )
      : null;
    const failure =
      run.failure ??
      (run.error ? { stage: null, environment: null, error: run.error, cause: run.cause } : null);
    append(summary, [
      h(
        'h1',
        {},
        'Run ',
        run.number ? `#${run.number} ` : '',
        h('span', { class: 'mono' }, run.name),
        ' ',
        badge(run.status),
      ),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Commit'),
        h(
          'dd',
          {},
          run.commitUrl
            ? h(
                'a',
                { href: run.commitUrl, rel: 'noopener noreferrer', class: 'commit-link' },
                h('code', {}, short(run.commit)),
              )
            : h('code', {}, short(run.commit)),
          ' ',
          run.message ?? '',
        ),
        h('dt', {}, 'Author'),
        h('dd', {}, run.author ?? '—'),
        h('dt', {}, 'Branch'),
        h('dd', {}, run.branch ?? '—'),
        h('dt', {}, 'Release'),
        h(
          'dd',
          {},
          releaseLink(detail.release?.version),
          detail.release?.digest ? h('code', { class: 'digest' }, ` ${detail.release.digest}`) : '',
        ),
        h('dt', {}, 'Started'),
        h('dd', {}, when(run.startDate)),
        h('dt', {}, 'Duration'),
        h('dd', {}, duration(run.durationMs)),
      ),
      failure
        ? h(
            'div',
            { class: 'failure', role: 'alert' },
            h('h2', {}, 'Why it failed'),
            failure.stage
              ? h(
                  'p',
                  { class: 'failure-where' },
                  `In stage ${stageLabel(failure.stage)}${failure.environment ? ` in ${failure.environment}` : ''}:`,
                )
              : null,
            ...failureText(failure.error ?? null, failure.cause ?? null, {
              error: run.error,
              cause: run.cause,
            }),
            failure.rolledBack ? h('p', {}, rollbackText(failure.environment, failure.rolledBack)) : null,
            untouched(detail).length
              ? h(
                  'p',
                  { class: 'untouched' },
                  `Never reached: ${untouched(detail).join(', ')}. They keep the releases and data they had.`,
                )
              : null,
          )
        : null,
      detail.pendingApprovals.length
        ? h(
            'div',
            { class: 'waiting', role: 'status' },
            `Waiting for approval to enter ${detail.pendingApprovals.map((p: Json) => p.environment).join(', ')}. `,
            h('a', { href: '#/approvals' }, 'Open the approvals inbox'),
          )
        : null,
      redrive,
      redriveHint,
      note,
    ]);
  }

  function renderTimeline(detail: Json): void {
    const t = detail.timeline;
    clear(timeline);
    const lane = (
      title: string,
      environment: string | null,
      status: string | null,
      stages: Json[],
      extra?: string,
    ) =>
      h(
        'section',
        {
          class: `lane${status ? ` lane-${status}` : ''}`,
          'aria-label': `${title} stages`,
          'data-environment': environment ?? '',
        },
        h(
          'h3',
          {},
          title,
          ' ',
          status ? h('span', { class: `badge s-${status}` }, status) : null,
          extra ? h('span', { class: 'muted' }, ` ${extra}`) : null,
        ),
        h(
          'ol',
          { class: 'stages' },
          ...stages.map((s) =>
            h(
              'li',
              {
                class: `stage s-${s.status}${s.evidence.some(isWide) ? ' wide' : ''}`,
                'data-stage': s.stage,
                // The stage graph above moves focus here.
                tabindex: -1,
              },
              h(
                'div',
                { class: 'stage-head' },
                h('span', { class: `badge s-${s.status}` }, s.status),
                ' ',
                h('strong', {}, stageLabel(s.stage)),
                h(
                  'span',
                  { class: 'muted' },
                  ` ${duration(s.durationMs)}${s.attempts > 1 ? ` · ${s.attempts} calls` : ''}`,
                ),
              ),
              stageHelp(s.stage, s.status)
                ? h('p', { class: 'stage-help' }, stageHelp(s.stage, s.status))
                : null,
              s.error
                ? h(
                    'div',
                    { class: 'stage-error' },
                    ...failureText(s.error.error, s.error.cause, {
                      error: s.error.error,
                      cause: s.error.raw ?? s.error.cause,
                    }),
                  )
                : null,
              ...evidenceView(s.evidence),
              s.status === 'skipped' ? null : stageLogs(name, environment, s.stage, openLogs),
            ),
          ),
        ),
      );
    append(timeline, [
      h('h2', { id: 'tl-h' }, 'Timeline'),
      t.before.length ? lane('Before the environments', null, null, t.before) : null,
      ...t.environments.map((e: Json) => lane(e.name, e.name, e.status, e.stages, duration(e.durationMs))),
      ...(detail.run.status === 'RUNNING' ? [] : untouched(detail)).map((env) =>
        h(
          'section',
          { class: 'lane lane-not-run', 'aria-label': `${env} stages` },
          h('h3', {}, env, ' ', h('span', { class: 'badge s-not-run' }, 'not reached')),
          h('p', { class: 'muted' }, 'The run stopped before this environment; nothing here changed.'),
        ),
      ),
      detail.canary?.steps.length ? canarySection(detail.canary) : null,
      t.after.length ? lane('Wrap-up', null, null, t.after) : null,
      detail.approvals.length
        ? h(
            'section',
            { class: 'lane', 'aria-label': 'Approvals and refusals' },
            h('h3', {}, 'Approvals and refusals'),
            h(
              'ul',
              {},
              ...detail.approvals.map((a: Json) =>
                h(
                  'li',
                  {},
                  `${when(a.at)} · ${a.environment ?? ''} · ${a.kind.replace('approval-', '')} `,
                  a.actor ? `by ${a.actor}` : '',
                  a.data?.reason ? ` — ${a.data.reason}` : '',
                  a.data?.comment ? ` — “${a.data.comment}”` : '',
                ),
              ),
            ),
          )
        : null,
    ]);
  }

  let pending: number | null = null;
  const reload = () => {
    if (pending !== null) return;
    pending = window.setTimeout(() => {
      pending = null;
      void load();
    }, 400);
  };
  const offActivity = onLive('activity', (a: Json) => {
    if (typeof a.executionArn === 'string' && a.executionArn.endsWith(`:${name}`)) reload();
  });
  const offPoll = onLive('poll', reload);
  void load();
  return () => {
    stopped = true;
    offActivity();
    offPoll();
    history?.stop();
    if (pending !== null) clearTimeout(pending);
  };
}

/** Evidence tables with many columns get two grid cells, so their text is not squeezed into slivers. */
function isWide(evidence: Json): boolean {
  return evidence.kind === 'masking' || evidence.kind === 'data-checks' || evidence.kind === 'smoke-tests';
}

/** Configured environments the run has no lane for, in config order. */
function untouched(detail: Json): string[] {
  const reached = new Set((detail.timeline.environments as Json[]).map((e) => e.name));
  return ((detail.environments ?? []) as string[]).filter((env) => !reached.has(env));
}

const ROLLBACK: Record<string, (env: string, restored: string) => string> = {
  'already-serving': (env, restored) =>
    `${env} never switched to the failed release: ${restored} kept serving.`,
  redeployed: (env, restored) => `${env} was rolled back: ${restored} serves again.`,
  reverted: (env) =>
    `${env} had no earlier Tollgate release, so it went back to what it ran before Tollgate.`,
  stopped: (env) => `${env} had no earlier release, so the failed one was stopped.`,
  'nothing-running': (env) => `${env} had nothing running to roll back.`,
};

function rollbackText(environment: string | null, rolledBack: Json): string {
  const env = environment ?? 'The environment';
  const text = ROLLBACK[rolledBack.action as string];
  return text ? text(env, rolledBack.restoredVersion ?? 'nothing') : `Rolled back (${rolledBack.action}).`;
}
