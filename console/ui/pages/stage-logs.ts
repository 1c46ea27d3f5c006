import { getJson } from '../api.js';
import { clear, h } from '../dom.js';
import type { Json } from '../json.js';

/**
 * A stage's task log lines, fetched when the reader opens them (a run has dozens of stages, few
 * are read). `open` survives the timeline's redraw on live updates: the page keeps the keys.
 */
export function stageLogs(
  run: string,
  environment: string | null,
  stage: string,
  openKeys: Set<string>,
): HTMLElement {
  const key = `${environment ?? ''}/${stage}`;
  const body = h('div', { class: 'log-body' });
  const details = h(
    'details',
    { class: 'stage-logs', 'data-stage-logs': key },
    h('summary', {}, 'Log'),
    body,
  );
  const load = async () => {
    clear(body);
    body.append(h('p', { class: 'muted', role: 'status' }, 'Loading…'));
    try {
      const page = await getJson<Json>(`/api/runs/${encodeURIComponent(run)}/logs`, {
        stage,
        environment: environment ?? undefined,
      });
      clear(body);
      if (page.lines.length === 0) {
        body.append(h('p', { class: 'muted' }, 'No log lines for this stage.'));
        return;
      }
      body.append(
        h(
          'pre',
          { class: 'log-lines', tabindex: 0 },
          page.lines.map((l: Json) => `${lineText(l)}\n`).join(''),
        ),
      );
      if (page.truncated)
        body.append(h('p', { class: 'muted' }, 'Some lines were dropped to keep the run’s log bounded.'));
    } catch (e) {
      clear(body);
      body.append(h('p', { class: 'error' }, `Could not load the log: ${(e as Error).message}`));
    }
  };
  details.addEventListener('toggle', () => {
    if (details.open) {
      openKeys.add(key);
      void load();
    } else openKeys.delete(key);
  });
  if (openKeys.has(key)) details.open = true;
  return details;
}

function lineText(line: Json): string {
  const time = typeof line.at === 'string' ? line.at.slice(11, 23) : '';
  const fields = Object.entries(line.fields ?? {})
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${time} ${String(line.level).padEnd(5)} ${line.state}: ${line.message}${fields ? ` ${fields}` : ''}`;
}
