import { getJson, postJson } from '../api.js';
import { confirmDialog } from '../confirm-dialog.js';
import { clear, h } from '../dom.js';
import { runLink, runNameOf, when } from '../format.js';
import type { Json } from '../json.js';
import { ledgerSummary } from '../ledger-summary.js';

/** One release: its metadata and digest, where it runs now, and every ledger entry about it. */
export function releasePage(main: HTMLElement, version: string): () => void {
  clear(main);
  main.append(
    h('h1', {}, 'Release ', h('span', { class: 'mono' }, version)),
    h('p', { class: 'muted' }, 'Loading…'),
  );
  (async () => {
    try {
      const [r, envs] = await Promise.all([
        getJson<Json>(`/api/releases/${encodeURIComponent(version)}`),
        getJson<Json>('/api/envs'),
      ]);
      const m = r.metadata ?? {};
      const run = runNameOf(m.executionArn);
      clear(main);
      main.append(
        h('h1', {}, 'Release ', h('span', { class: 'mono' }, version)),
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, 'Digest'),
          h('dd', {}, h('code', { class: 'digest' }, m.digest ?? '—')),
          h('dt', {}, 'Commit'),
          h('dd', {}, h('code', {}, m.commit ?? '—'), ` on ${m.branch ?? '—'}`),
          h('dt', {}, 'Author'),
          h('dd', {}, m.author?.name ?? m.author ?? '—'),
          h('dt', {}, 'Registered'),
          h('dd', {}, when(m.registeredAt)),
          h('dt', {}, 'Built by run'),
          h('dd', {}, run ? runLink(run) : '—'),
          h('dt', {}, 'Size'),
          h('dd', {}, m.size ? `${m.size} bytes` : '—'),
          h('dt', {}, 'Running in'),
          h('dd', {}, r.currentlyIn.length ? r.currentlyIn.join(', ') : 'no environment'),
        ),
        compareLinks(version, envs.environments),
        deployActions(version, envs.environments),
        h('h2', {}, 'Promotions'),
        r.promotions.length
          ? h(
              'ul',
              {},
              ...r.promotions.map((p: Json) =>
                h(
                  'li',
                  {},
                  `${p.environment} · ${when(p.at)}${p.approvedBy.length ? ` · approved by ${p.approvedBy.join(', ')}` : ''}`,
                ),
              ),
            )
          : h('p', { class: 'muted' }, 'Not promoted anywhere.'),
        h('h2', {}, 'Ledger entries'),
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              ...['#', 'When', 'Kind', 'Environment', 'Actor', 'Data'].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            {},
            ...r.entries.map((e: Json) =>
              h(
                'tr',
                {},
                h('td', {}, String(e.seq)),
                h('td', {}, when(e.at)),
                h('td', {}, e.kind),
                h('td', {}, e.environment ?? '—'),
                h('td', {}, e.actor ?? '—'),
                h(
                  'td',
                  {},
                  ledgerSummary(e),
                  h(
                    'details',
                    { class: 'ledger-data' },
                    h('summary', {}, 'Full entry'),
                    h('pre', { class: 'json' }, JSON.stringify(e.data, null, 2)),
                  ),
                ),
              ),
            ),
          ),
        ),
      );
    } catch (e) {
      clear(main);
      main.append(
        h('h1', {}, 'Release ', version),
        h('p', { class: 'error', role: 'alert' }, (e as Error).message),
      );
    }
  })();
  return () => undefined;
}

/**
 * "Deploy to …" per environment: starts a run of the pipeline for this release into that
 * environment (POST /api/releases/{version}/deploy, the check and event `tollgate deploy` uses),
 * through its gate and approvals. A refusal is shown as the server's one line.
 */
function deployActions(version: string, rows: readonly Json[]): HTMLElement {
  const note = h('p', { class: 'muted', role: 'status' }, '');
  const reason = h('input', {
    type: 'text',
    placeholder: 'why (recorded)',
    'aria-label': 'Reason',
  }) as HTMLInputElement;
  const skip = h('input', {
    type: 'checkbox',
    'aria-label': 'Skip earlier environments',
  }) as HTMLInputElement;
  const buttons = rows.map((row) => {
    const environment = String(row.environment);
    const running: string | null = row.current?.version ?? null;
    return h(
      'button',
      {
        type: 'button',
        'aria-haspopup': 'dialog',
        onclick: async (e: Event) => {
          const button = e.currentTarget as HTMLButtonElement;
          const yes = await confirmDialog({
            title: `Deploy ${version} to ${environment}?`,
            body: [
              running === version
                ? `${environment} runs ${version} already; this deploys it again.`
                : `${environment} runs ${running ?? 'nothing'} now.`,
              `This starts a run of the pipeline for ${version} into ${environment}: no build, the same refresh, checks, gate and approvals.`,
            ],
            confirm: `Deploy to ${environment}`,
          });
          if (!yes) return;
          button.disabled = true;
          try {
            const started = await postJson<Json>(`/api/releases/${encodeURIComponent(version)}/deploy`, {
              environment,
              reason: reason.value,
              skipEarlier: skip.checked,
            });
            note.textContent = `Deploying ${version} to ${environment}: run `;
            note.append(runLink(started.run));
          } catch (err) {
            note.textContent = `Deploy refused: ${(err as Error).message}`;
          } finally {
            button.disabled = false;
          }
        },
      },
      `Deploy to ${environment}…`,
    );
  });
  return h(
    'section',
    { class: 'deploy-actions' },
    h('h2', {}, 'Deploy this release again'),
    h('p', {}, ...buttons),
    h('p', {}, reason, ' ', h('label', {}, skip, ' skip environments it never passed')),
    note,
  );
}

/** "Compare with …" for each environment running another release: what deploying this one there changes. */
function compareLinks(version: string, rows: readonly Json[]): HTMLElement | null {
  const others = rows.filter((row) => row.current?.version && row.current.version !== version);
  if (others.length === 0) return null;
  return h(
    'p',
    { class: 'compare-links' },
    ...others.flatMap((row, i) => [
      i ? ' · ' : '',
      h(
        'a',
        { href: `#/diff/${encodeURIComponent(row.environment)}/${encodeURIComponent(version)}` },
        `Compare with ${row.environment}`,
      ),
    ]),
  );
}
