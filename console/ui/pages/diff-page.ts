import { getJson } from '../api.js';
import { clear, h } from '../dom.js';
import { releaseLink, short, when } from '../format.js';
import type { Json } from '../json.js';
import { highlightedSql } from '../sql-highlight.js';

/**
 * What changes from A to B, each a release or an environment (the release it runs): the commits
 * between them, the migration SQL B adds, the config each ran with and the artifact digests. The
 * same `releaseDiff` as `tollgate diff`; reached from the board and the release page.
 */
export function diffPage(
  main: HTMLElement,
  a: string,
  b: string,
  environments: readonly string[],
): () => void {
  clear(main);
  const from = h('input', { type: 'text', name: 'a', list: 'diff-sides', value: a, required: true });
  const to = h('input', { type: 'text', name: 'b', list: 'diff-sides', value: b, required: true });
  const form = h(
    'form',
    { class: 'diff-form', 'aria-label': 'Compare two releases or environments' },
    h('label', {}, 'From ', from),
    ' ',
    h('label', {}, 'To ', to),
    ' ',
    h('button', { type: 'submit' }, 'Compare'),
    h('datalist', { id: 'diff-sides' }, ...environments.map((env) => h('option', { value: env }))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    location.hash = `#/diff/${encodeURIComponent(from.value.trim())}/${encodeURIComponent(to.value.trim())}`;
  });
  const result = h('div', { class: 'diff-result' });
  main.append(
    h('h1', {}, 'Compare'),
    h(
      'p',
      { class: 'muted' },
      'A release (r12-1a2b3c4) or an environment, which stands for the release it runs.',
    ),
    form,
    result,
  );
  if (a && b) void load(result, a, b);
  return () => undefined;
}

async function load(result: HTMLElement, a: string, b: string): Promise<void> {
  result.append(h('p', { class: 'muted' }, 'Loading…'));
  try {
    const d = await getJson<Json>('/api/diff', { a, b });
    clear(result);
    result.append(
      h(
        'h2',
        { class: 'diff-title' },
        sideText(d.a),
        ' → ',
        sideText(d.b),
        d.sameRelease ? h('span', { class: 'muted' }, ' (the same release)') : '',
      ),
      artifacts(d),
      commits(d.commits),
      migrations(d.migrations),
      config(d.config, d.a, d.b),
    );
    result.setAttribute('data-loaded', 'true');
  } catch (e) {
    clear(result);
    result.append(h('p', { class: 'error', role: 'alert' }, (e as Error).message));
    result.setAttribute('data-loaded', 'error');
  }
}

function sideText(side: Json): Node | string {
  return side.environment
    ? h('span', {}, `${side.environment} (`, releaseLink(side.version), ')')
    : releaseLink(side.version);
}

function artifacts(d: Json): HTMLElement {
  const row = (label: string, side: Json) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', {}, releaseLink(side.version)),
      h('td', {}, h('code', { class: 'digest' }, side.digest)),
      h('td', {}, `${side.size} bytes`),
      h('td', {}, side.imageDigest ? h('code', { class: 'digest' }, side.imageDigest) : '—'),
      h('td', {}, when(side.registeredAt)),
    );
  return h(
    'section',
    { class: 'diff-artifacts', 'aria-labelledby': 'diff-artifacts-h' },
    h('h2', { id: 'diff-artifacts-h' }, 'Artifacts'),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['', 'Release', 'Digest', 'Size', 'Image', 'Registered'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, row('From', d.a), row('To', d.b)),
    ),
    h('p', {}, d.a.digest === d.b.digest ? 'The same artifact.' : 'Different artifacts.'),
  );
}

function commits(c: Json): HTMLElement {
  const list = (mark: string, title: string, items: Json[]) =>
    items.length
      ? [
          h('h3', {}, title),
          h(
            'ul',
            { class: 'diff-commits' },
            ...items.map((m: Json) =>
              h(
                'li',
                { 'data-commit': m.commit },
                `${mark} `,
                h('code', {}, short(m.commit)),
                ` ${m.subject} `,
                h('span', { class: 'muted' }, `— ${m.author}`),
              ),
            ),
          ),
        ]
      : [];
  return h(
    'section',
    { class: 'diff-section', 'aria-labelledby': 'diff-commits-h' },
    h('h2', { id: 'diff-commits-h' }, 'Commits'),
    !c.listed
      ? h('p', { class: 'muted' }, `Not listed: ${c.detail}`)
      : c.added.length + c.removed.length === 0
        ? h('p', { class: 'muted' }, 'No commits between them.')
        : [
            ...list('+', `${c.added.length} added`, c.added),
            ...list('−', `${c.removed.length} taken away`, c.removed),
            c.truncated ? h('p', { class: 'muted' }, 'More commits than are listed.') : null,
          ],
  );
}

function migrations(m: Json): HTMLElement {
  return h(
    'section',
    { class: 'diff-section', 'aria-labelledby': 'diff-migrations-h' },
    h('h2', { id: 'diff-migrations-h' }, 'Migrations'),
    !m.listed
      ? h('p', { class: 'muted' }, `Not listed: ${m.detail}`)
      : m.added.length + m.removed.length + m.changed.length === 0
        ? h('p', { class: 'muted' }, 'No migration differs.')
        : [
            ...m.added.map((added: Json) =>
              h(
                'div',
                { class: 'diff-migration', 'data-migration': added.name },
                h('h3', {}, `+ ${added.name}.sql`),
                highlightedSql(added.sql),
              ),
            ),
            m.removed.length
              ? h(
                  'p',
                  {},
                  `Not in the second release: ${m.removed.join(', ')} (a database that ran them keeps them; nothing undoes them).`,
                )
              : null,
            m.changed.length
              ? h('p', { class: 'error' }, `Edited after they shipped: ${m.changed.join(', ')}.`)
              : null,
          ],
  );
}

function config(c: Json, a: Json, b: Json): HTMLElement {
  const value = (v: unknown) =>
    v === undefined ? h('span', { class: 'muted' }, 'absent') : h('code', {}, JSON.stringify(v));
  return h(
    'section',
    { class: 'diff-section', 'aria-labelledby': 'diff-config-h' },
    h('h2', { id: 'diff-config-h' }, 'Config'),
    !c.recorded
      ? h('p', { class: 'muted' }, `Not compared: ${c.detail}`)
      : c.differences.length === 0
        ? h('p', { class: 'muted' }, 'They ran with the same config.')
        : h(
            'table',
            { class: 'diff-config' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                h('th', { scope: 'col' }, 'Setting'),
                h('th', { scope: 'col' }, a.environment ?? a.version),
                h('th', { scope: 'col' }, b.environment ?? b.version),
              ),
            ),
            h(
              'tbody',
              {},
              ...c.differences.map((d: Json) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, h('code', {}, d.path)),
                  h('td', {}, value(d.a)),
                  h('td', {}, value(d.b)),
                ),
              ),
            ),
          ),
  );
}
