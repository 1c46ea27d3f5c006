import { getJson } from '../api.js';
import { clear, h } from '../dom.js';
import { releaseLink, runLink, runNameOf, when } from '../format.js';
import type { Json } from '../json.js';
import { replacedNote } from '../ledger-summary.js';
import { onLive } from '../live.js';

/** What runs where, since when, who let it through, and how two environments differ. */
export function envsPage(main: HTMLElement, environments: string[]): () => void {
  const board = h('div');
  const history = h('div');
  const compareOut = h('div', { role: 'region', 'aria-live': 'polite', 'aria-label': 'Comparison' });
  const pick = (id: string, label: string, initial: string) =>
    h(
      'label',
      { for: id },
      `${label} `,
      h('select', { id }, ...environments.map((e) => h('option', { value: e, selected: e === initial }, e))),
    );
  const error = h('p', { class: 'error', role: 'alert' });
  clear(main);
  main.append(
    h('h1', {}, 'Environments'),
    error,
    board,
    h(
      'section',
      { 'aria-labelledby': 'cmp-h' },
      h('h2', { id: 'cmp-h' }, 'Compare two environments'),
      h(
        'form',
        {
          class: 'filters',
          onsubmit: (e: Event) => {
            e.preventDefault();
            void compare();
          },
        },
        pick('cmp-a', 'From', environments[0] ?? ''),
        pick('cmp-b', 'To', environments.at(-1) ?? ''),
        h('button', { type: 'submit' }, 'Compare'),
      ),
      compareOut,
    ),
    h('section', { 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'Promotion history'), history),
  );

  async function load(): Promise<void> {
    try {
      const data = await getJson<Json>('/api/envs');
      error.textContent = '';
      clear(board);
      board.append(
        h(
          'table',
          { class: 'board' },
          h('caption', { class: 'sr-only' }, 'Release in each environment'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['Environment', 'Release', 'Since', 'Approved by', 'Put there by', 'How'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...data.environments.map((row: Json) => {
              const c = row.current;
              const run = runNameOf(c?.executionArn);
              return h(
                'tr',
                { 'data-env': row.environment },
                h('th', { scope: 'row' }, row.environment),
                h('td', {}, c ? releaseLink(c.version) : 'nothing deployed'),
                h('td', {}, c ? when(c.since) : '—'),
                h('td', {}, c?.approvedBy?.length ? c.approvedBy.join(', ') : c ? 'no gate' : '—'),
                h('td', {}, run ? runLink(run) : '—'),
                h('td', {}, c ? (c.via === 'rollback' ? 'rollback' : 'promotion') : '—'),
              );
            }),
          ),
        ),
      );
      clear(history);
      for (const row of data.environments) {
        history.append(
          h('h3', {}, row.environment),
          row.history.length
            ? h(
                'ol',
                { reversed: true, class: 'history' },
                ...[...row.history]
                  .reverse()
                  .map((e: Json) =>
                    h(
                      'li',
                      { class: e.kind },
                      `${when(e.at)} · `,
                      e.kind === 'rollback' ? h('strong', {}, 'rollback to ') : 'promoted ',
                      releaseLink(e.version),
                      replacedNote(e),
                      e.approvedBy?.length ? ` · approved by ${e.approvedBy.join(', ')}` : '',
                      e.kind === 'rollback' && e.failedVersion ? ` · ${e.failedVersion} failed` : '',
                    ),
                  ),
              )
            : h('p', { class: 'muted' }, 'Nothing promoted yet.'),
        );
      }
    } catch (e) {
      error.textContent = `Could not load environments: ${(e as Error).message}`;
    }
  }

  async function compare(): Promise<void> {
    const a = (document.getElementById('cmp-a') as HTMLSelectElement).value;
    const b = (document.getElementById('cmp-b') as HTMLSelectElement).value;
    clear(compareOut);
    try {
      const c = await getJson<Json>('/api/envs/compare', { a, b });
      compareOut.append(
        c.differences.length
          ? h(
              'table',
              {},
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  h('th', { scope: 'col' }, 'Field'),
                  h('th', { scope: 'col' }, a),
                  h('th', { scope: 'col' }, b),
                ),
              ),
              h(
                'tbody',
                {},
                ...c.differences.map((d: Json) =>
                  h(
                    'tr',
                    {},
                    h('th', { scope: 'row' }, d.field),
                    h('td', {}, String(d.a ?? '—')),
                    h('td', {}, String(d.b ?? '—')),
                  ),
                ),
              ),
            )
          : h('p', {}, `${a} and ${b} run the same release.`),
        c.releasesBetween.length
          ? h(
              'div',
              {},
              h('h3', {}, 'Releases in between'),
              h(
                'ul',
                {},
                ...c.releasesBetween.map((r: Json) =>
                  h(
                    'li',
                    {},
                    releaseLink(r.version),
                    ` ${r.message ?? ''} ${r.author ? `— ${r.author}` : ''}`,
                  ),
                ),
              ),
            )
          : null,
      );
    } catch (e) {
      compareOut.append(h('p', { class: 'error' }, (e as Error).message));
    }
  }

  const off = onLive('run', () => void load());
  const offPoll = onLive('poll', () => void load());
  void load();
  return () => {
    off();
    offPoll();
  };
}
