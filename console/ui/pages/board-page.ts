import { getJson, postJson } from '../api.js';
import { confirmDialog } from '../confirm-dialog.js';
import { clear, h } from '../dom.js';
import { releaseLink, runLink, short, when } from '../format.js';
import type { Json } from '../json.js';
import { onLive } from '../live.js';

interface Incoming {
  name: string;
  number: number;
  state: 'queued' | 'running' | 'waiting';
  stage: string | null;
  approvers: string[];
  commit: string | null;
  message: string | null;
  author: string | null;
  release: string | null;
  startDate: number;
}
interface Lane {
  environment: string;
  current: {
    version: string;
    since: string;
    approvedBy: string[];
    via: 'promotion' | 'rollback';
    run: string | null;
    runNumber: number | null;
    release: { commit: string | null; message: string | null; author: string | null } | null;
  } | null;
  /** The release it ran before the current one. */
  previous: string | null;
  health: 'healthy' | 'rolled-back' | 'failed' | 'empty';
  lastFailure: { at: string; version: string | null; run: string | null } | null;
  incoming: Incoming[];
}

const HEALTH: Record<Lane['health'], { text: string; cls: string }> = {
  healthy: { text: 'healthy', cls: 's-succeeded' },
  'rolled-back': { text: 'rolled back', cls: 's-waiting' },
  failed: { text: 'failed, nothing running', cls: 's-failed' },
  empty: { text: 'nothing deployed yet', cls: 's-skipped' },
};
const ON_ITS_WAY: Record<Incoming['state'], { text: string; cls: string }> = {
  running: { text: 'running', cls: 's-running' },
  waiting: { text: 'waiting at the gate', cls: 's-waiting' },
  queued: { text: 'queued', cls: 's-skipped' },
};

/**
 * The landing page: one lane per environment in promotion order, each with the release it runs and
 * what is on its way to it. Reloads when a run starts, moves or ends.
 */
export function boardPage(main: HTMLElement): () => void {
  const lanes = h('div', { class: 'board-lanes' });
  const error = h('p', { class: 'error', role: 'alert' });
  // Outside the lanes, which are redrawn on every live event: what a roll back started stays shown.
  const note = h('p', { class: 'board-note', role: 'status' });
  clear(main);
  main.append(
    h('h1', {}, 'Delivery board'),
    h('p', { class: 'muted' }, 'Each environment in promotion order: what it runs, and what is on its way.'),
    error,
    note,
    lanes,
  );

  let timer: number | null = null;
  async function load(): Promise<void> {
    try {
      const data = await getJson<{ lanes: Lane[] }>('/api/board');
      error.textContent = '';
      clear(lanes);
      const last = data.lanes.at(-1)?.environment ?? null;
      for (const lane of data.lanes) lanes.append(laneView(lane, last, note));
      lanes.setAttribute('data-loaded', 'true');
    } catch (e) {
      error.textContent = `Could not load the board: ${(e as Error).message}`;
    }
  }
  const soon = () => {
    if (timer !== null) return;
    timer = window.setTimeout(() => {
      timer = null;
      void load();
    }, 300);
  };
  const offs = [onLive('run', soon), onLive('activity', soon), onLive('poll', soon)];
  void load();
  return () => {
    for (const off of offs) off();
    if (timer !== null) window.clearTimeout(timer);
  };
}

function laneView(lane: Lane, last: string | null, note: HTMLElement): HTMLElement {
  const health = HEALTH[lane.health];
  const c = lane.current;
  const actions = c ? laneActions(lane.environment, c.version, lane.previous, last, note) : null;
  return h(
    'section',
    {
      class: `board-lane h-${lane.health}`,
      'data-env': lane.environment,
      'aria-labelledby': `lane-${lane.environment}`,
    },
    h(
      'h2',
      { id: `lane-${lane.environment}` },
      lane.environment,
      ' ',
      h('span', { class: `badge ${health.cls}` }, health.text),
    ),
    c
      ? h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Release'),
          h('dd', {}, releaseLink(c.version)),
          h('dt', {}, 'Commit'),
          h(
            'dd',
            { title: c.release?.message ?? '' },
            h('code', {}, short(c.release?.commit)),
            ' ',
            c.release?.message?.split('\n')[0] ?? '',
          ),
          h('dt', {}, 'Since'),
          h('dd', {}, when(c.since), c.via === 'rollback' ? ' (restored by a rollback)' : ''),
          h('dt', {}, 'Approved by'),
          h('dd', {}, c.approvedBy.length ? c.approvedBy.join(', ') : 'no gate'),
          h('dt', {}, 'Run'),
          h('dd', {}, c.run ? runLink(c.run, c.runNumber ? `#${c.runNumber}` : c.run) : '—'),
        )
      : h('p', { class: 'muted' }, 'Nothing runs here yet.'),
    actions,
    lane.lastFailure
      ? h(
          'p',
          { class: 'lane-failure' },
          `Last deployment failed ${when(lane.lastFailure.at)}`,
          lane.lastFailure.version ? ` (${lane.lastFailure.version})` : '',
          lane.lastFailure.run ? [' — ', runLink(lane.lastFailure.run, 'see the run')] : '',
        )
      : null,
    h('h3', {}, 'On its way'),
    lane.incoming.length === 0
      ? h('p', { class: 'muted' }, 'Nothing.')
      : h(
          'ul',
          { class: 'incoming' },
          lane.incoming.map((run) => {
            const state = ON_ITS_WAY[run.state];
            return h(
              'li',
              { 'data-run': run.name },
              runLink(run.name, `#${run.number}`),
              ' ',
              h('span', { class: `badge ${state.cls}` }, state.text),
              run.stage && run.state === 'running' ? ` in ${run.stage}` : '',
              run.state === 'waiting' && run.approvers.length ? ` for ${run.approvers.join(', ')}` : '',
              h('br'),
              h('code', {}, short(run.commit)),
              ' ',
              run.message?.split('\n')[0] ?? '',
              run.author ? h('span', { class: 'muted' }, ` — ${run.author}`) : '',
            );
          }),
        ),
  );
}

/**
 * A lane's links and its roll back: "Compare with prod" (what this environment runs that the last
 * one does not), "Changes since" the release it ran before, and "Roll back to" that release, which
 * asks first, naming both releases, then starts a redeploy through the release page's route (the
 * same check as `tollgate deploy`: a refusal is its one line).
 */
function laneActions(
  environment: string,
  current: string,
  previous: string | null,
  last: string | null,
  note: HTMLElement,
): HTMLElement {
  const diff = (from: string, to: string) => `#/diff/${encodeURIComponent(from)}/${encodeURIComponent(to)}`;
  const rollBack = async () => {
    if (!previous) return;
    const yes = await confirmDialog({
      title: `Roll ${environment} back to ${previous}?`,
      body: [
        `${environment} runs ${current} now. This starts a run that deploys ${previous} to ${environment} again, through its checks, gate and approvals. Other environments keep what they run.`,
      ],
      confirm: `Roll back to ${previous}`,
    });
    if (!yes) return;
    try {
      const started = await postJson<Json>(`/api/releases/${encodeURIComponent(previous)}/deploy`, {
        environment,
        reason: `roll back from ${current} (console)`,
      });
      note.textContent = `Rolling ${environment} back from ${current} to ${previous}: run `;
      note.append(runLink(started.run));
    } catch (err) {
      note.textContent = `Roll back refused: ${(err as Error).message}`;
    }
  };
  return h(
    'p',
    { class: 'lane-actions' },
    last && last !== environment ? h('a', { href: diff(last, environment) }, `Compare with ${last}`) : null,
    previous
      ? [
          last && last !== environment ? ' · ' : '',
          h('a', { href: diff(previous, environment) }, `Changes since ${previous}`),
        ]
      : null,
    previous
      ? [
          ' ',
          h(
            'button',
            { type: 'button', 'aria-haspopup': 'dialog', onclick: rollBack },
            `Roll back to ${previous}…`,
          ),
        ]
      : null,
  );
}
