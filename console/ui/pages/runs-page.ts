import { getJson } from '../api.js';
import { clear, h } from '../dom.js';
import { badge, duration, runLink, short, when } from '../format.js';
import { onLive } from '../live.js';
import { onWaitingChange, waitingRuns } from '../pending.js';

interface Run {
  name: string;
  number: number;
  status: string;
  startDate: number;
  stopDate: number | null;
  commit: string | null;
  author: string | null;
  branch: string | null;
  message: string | null;
  release: string | null;
  reached: { environment: string; outcome: string } | null;
}

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const OUTCOME: Record<string, string> = {
  promoted: '✓ promoted',
  failed: '✗ failed',
  running: '… in progress',
};

/** The runs list: filters, cursor pages, and rows that change as runs progress. */
export function runsPage(main: HTMLElement, environments: string[]): () => void {
  const filters = {
    status: '',
    branch: '',
    environment: '',
    commit: '',
    author: '',
    text: '',
    ticket: '',
    from: '',
    to: '',
  };
  const cursors: Array<string | undefined> = [undefined];
  let page = 0;
  const rows = new Map<string, HTMLTableRowElement>();
  const runs = new Map<string, Run>();
  const select = (name: keyof typeof filters, label: string, options: string[]) =>
    h(
      'label',
      {},
      `${label} `,
      h(
        'select',
        {
          name,
          onchange: (e: Event) => {
            filters[name] = (e.target as HTMLSelectElement).value;
            cursors.length = 1;
            page = 0;
            void load();
          },
        },
        h('option', { value: '' }, 'Any'),
        options.map((o) => h('option', { value: o }, o.toLowerCase().replace('_', ' '))),
      ),
    );
  const branchList = h('datalist', { id: 'branches' });
  const branchInput = h('input', {
    name: 'branch',
    list: 'branches',
    placeholder: 'All branches',
    onchange: (e: Event) => {
      filters.branch = (e.target as HTMLInputElement).value.trim();
      cursors.length = 1;
      page = 0;
      void load();
    },
  });
  // Search fields apply on submit (Enter or the button), so typing does not reload on every key.
  const field = (name: 'commit' | 'author' | 'text' | 'ticket', label: string, placeholder: string) =>
    h('label', {}, `${label} `, h('input', { name, placeholder, size: 12, autocomplete: 'off' }));
  const dateField = (name: 'from' | 'to', label: string) =>
    h('label', {}, `${label} `, h('input', { name, type: 'date' }));
  const jump = h('input', { name: 'number', placeholder: '#42', size: 6, 'aria-label': 'Go to run number' });
  const search = h(
    'form',
    {
      class: 'filters search',
      role: 'search',
      'aria-label': 'Search runs',
      onsubmit: (e: Event) => {
        e.preventDefault();
        const form = e.target as HTMLFormElement;
        for (const name of ['commit', 'author', 'text', 'ticket', 'from', 'to'] as const)
          filters[name] = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
        cursors.length = 1;
        page = 0;
        void load();
      },
    },
    field('commit', 'Commit', 'a1b2c3d'),
    field('author', 'Author', 'name'),
    field('text', 'Message', 'words'),
    field('ticket', 'Ticket', 'ABC-123'),
    dateField('from', 'From'),
    dateField('to', 'To'),
    h('button', { type: 'submit' }, 'Search'),
  );
  const jumpForm = h(
    'form',
    {
      class: 'filters',
      'aria-label': 'Go to a run by number',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const n = jump.value.trim().replace(/^#/, '');
        try {
          const run = await getJson<{ name: string }>(`/api/run-numbers/${encodeURIComponent(n)}`);
          location.hash = `#/runs/${encodeURIComponent(run.name)}`;
        } catch (err) {
          error.textContent = `Run #${n}: ${(err as Error).message}`;
        }
      },
    },
    h('label', {}, 'Run ', jump),
    h('button', { type: 'submit' }, 'Go'),
  );
  const body = h('tbody');
  const summary = h('p', { class: 'muted', role: 'status' });
  const prev = h('button', { type: 'button', onclick: () => go(-1) }, '← Newer');
  const next = h('button', { type: 'button', onclick: () => go(1) }, 'Older →');
  const error = h('p', { class: 'error', role: 'alert' });
  clear(main);
  main.append(
    h('h1', {}, 'Runs'),
    h(
      'form',
      { class: 'filters', 'aria-label': 'Filter runs', onsubmit: (e: Event) => e.preventDefault() },
      select('status', 'Status', STATUSES),
      h('label', {}, 'Branch ', branchInput),
      branchList,
      select('environment', 'Reached', environments),
    ),
    search,
    jumpForm,
    error,
    h(
      'table',
      { class: 'runs' },
      h('caption', { class: 'sr-only' }, 'Pipeline runs, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Status', '#', 'Run', 'Commit', 'Author', 'Branch', 'Reached', 'Started', 'Duration'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      body,
    ),
    h('nav', { class: 'pager', 'aria-label': 'Pages' }, prev, summary, next),
  );

  const row = (run: Run) =>
    h(
      'tr',
      { 'data-run': run.name },
      h('td', {}, waitingRuns().has(run.name) ? waitingBadge() : badge(run.status)),
      h('td', {}, runLink(run.name, `#${run.number}`)),
      h('td', {}, runLink(run.name)),
      h(
        'td',
        { title: run.message ?? '' },
        h('code', {}, short(run.commit)),
        ' ',
        h('span', { class: 'msg' }, run.message ?? ''),
      ),
      h('td', {}, run.author ?? '—'),
      h('td', {}, run.branch ?? '—'),
      h('td', {}, reachedText(run)),
      h('td', {}, when(run.startDate)),
      h('td', {}, duration((run.stopDate ?? Date.now()) - run.startDate)),
    );

  let loading = false;
  let again = false;
  async function load(): Promise<void> {
    if (loading) {
      again = true;
      return;
    }
    loading = true;
    try {
      const data = await getJson<{
        runs: Run[];
        nextCursor: string | null;
        total: number;
        branches: string[];
      }>('/api/runs', {
        ...filters,
        cursor: cursors[page],
        limit: '50',
      });
      error.textContent = '';
      rows.clear();
      runs.clear();
      clear(body);
      for (const run of data.runs) {
        const tr = row(run);
        rows.set(run.name, tr);
        runs.set(run.name, run);
        body.append(tr);
      }
      if (data.runs.length === 0)
        body.append(h('tr', {}, h('td', { colspan: 9, class: 'muted' }, 'No runs match these filters.')));
      cursors[page + 1] = data.nextCursor ?? undefined;
      prev.toggleAttribute('disabled', page === 0);
      next.toggleAttribute('disabled', !data.nextCursor);
      summary.textContent = `Page ${page + 1} · ${data.total} run${data.total === 1 ? '' : 's'}`;
      clear(branchList);
      for (const b of data.branches) branchList.append(h('option', { value: b }));
    } catch (e) {
      error.textContent = `Could not load runs: ${(e as Error).message}`;
    } finally {
      loading = false;
      if (again) {
        again = false;
        void load();
      }
    }
  }
  function go(delta: number): void {
    if (delta > 0 && !cursors[page + 1]) return;
    page = Math.max(0, page + delta);
    void load();
  }

  const offRun = onLive('run', (run: Run) => {
    const existing = rows.get(run.name);
    if (existing) {
      const fresh = row(run);
      existing.replaceWith(fresh);
      rows.set(run.name, fresh);
      runs.set(run.name, run);
    } else if (page === 0) void load();
  });
  const offPoll = onLive('poll', () => void load());
  // A run reaching or leaving a gate changes how its row reads, not the run itself.
  const offWaiting = onWaitingChange(() => {
    for (const [name, tr] of rows) {
      const cells = tr.querySelectorAll('td');
      const run = runs.get(name);
      if (!run || cells.length < 7) continue;
      cells[0]!.replaceChildren(waitingRuns().has(name) ? waitingBadge() : badge(run.status));
      cells[6]!.textContent = reachedText(run);
    }
  });
  void load();
  return () => {
    offRun();
    offPoll();
    offWaiting();
  };
}

function waitingBadge(): HTMLElement {
  return h('span', { class: 'badge s-waiting' }, 'waiting for approval');
}

/** Where the run got to; a run at a gate names who may let it through. */
function reachedText(run: Run): string {
  const waiting = waitingRuns().get(run.name);
  if (waiting) return `${waiting.environment}: awaiting approval (${waiting.approvers.join(', ')})`;
  return run.reached ? `${run.reached.environment} ${OUTCOME[run.reached.outcome] ?? ''}` : '—';
}
