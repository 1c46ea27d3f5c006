import { getJson } from './api.js';
import { clear, h } from './dom.js';

/**
 * The raw event history, as the AWS console's Events table, virtualised: only the rows in view
 * (plus a margin) exist in the DOM, so 25,000 events scroll as smoothly as 25. Pages stream in
 * behind the first one; the table is usable as soon as that first page arrives.
 */
const ROW_HEIGHT = 28;
const OVERSCAN = 12;

interface HistoryEvent {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp: number;
  [details: string]: unknown;
}

function detailsOf(event: HistoryEvent): Record<string, unknown> | null {
  for (const [key, value] of Object.entries(event))
    if (key.endsWith('EventDetails')) return value as Record<string, unknown>;
  return null;
}

function summaryOf(event: HistoryEvent): { step: string; text: string } {
  const d = detailsOf(event);
  if (!d) return { step: '', text: '' };
  const step = typeof d.name === 'string' ? d.name : '';
  const parts: string[] = [];
  for (const key of ['error', 'cause', 'resourceType', 'resource', 'index', 'length']) {
    if (d[key] !== undefined) parts.push(`${key}: ${String(d[key]).slice(0, 160)}`);
  }
  return { step, text: parts.join(' · ') };
}

export function historyTable(
  runName: string,
  onCount: (n: number, done: boolean) => void,
): { element: HTMLElement; stop(): void } {
  const events: HistoryEvent[] = [];
  let start0: number | null = null;
  const spacer = h('div', { class: 'vt-spacer' });
  const rowsEl = h('div', { class: 'vt-rows', role: 'rowgroup' });
  const viewport = h(
    'div',
    { class: 'vt-viewport', tabindex: 0, role: 'grid', 'aria-label': 'Event history', 'aria-rowcount': 0 },
    spacer,
    rowsEl,
  );
  const detail = h(
    'pre',
    { class: 'vt-detail', 'aria-live': 'polite' },
    'Select an event to see its details.',
  );
  const header = h(
    'div',
    { class: 'vt-row vt-head', role: 'row' },
    ...['ID', 'Type', 'Step', 'Elapsed', 'Details'].map((t) => h('span', { role: 'columnheader' }, t)),
  );
  const element = h('div', { class: 'vt' }, header, viewport, detail);
  let stopped = false;
  let frame = 0;
  let selected = -1;

  const render = () => {
    frame = 0;
    const top = viewport.scrollTop;
    const height = viewport.clientHeight || 480;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(events.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
    clear(rowsEl);
    for (let i = first; i < last; i++) {
      const e = events[i];
      const { step, text } = summaryOf(e);
      const row = h(
        'div',
        {
          class: `vt-row${i === selected ? ' selected' : ''}${/Failed|TimedOut|Aborted/.test(e.type) ? ' bad' : ''}`,
          role: 'row',
          'aria-rowindex': i + 1,
          'data-event-id': e.id,
          onclick: () => select(i),
        },
        h('span', { role: 'gridcell' }, String(e.id)),
        h('span', { role: 'gridcell' }, e.type),
        h('span', { role: 'gridcell' }, step),
        h(
          'span',
          { role: 'gridcell' },
          start0 === null ? '' : `${((e.timestamp - start0) * 1).toFixed(3)} s`,
        ),
        h('span', { role: 'gridcell', class: 'vt-text' }, text),
      );
      row.style.top = `${i * ROW_HEIGHT}px`;
      rowsEl.append(row);
    }
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(render);
  };
  const select = (i: number) => {
    selected = Math.max(0, Math.min(events.length - 1, i));
    detail.textContent = JSON.stringify(events[selected], null, 2);
    const y = selected * ROW_HEIGHT;
    if (y < viewport.scrollTop) viewport.scrollTop = y;
    else if (y + ROW_HEIGHT > viewport.scrollTop + viewport.clientHeight)
      viewport.scrollTop = y + ROW_HEIGHT - viewport.clientHeight;
    schedule();
  };
  viewport.addEventListener('scroll', schedule, { passive: true });
  viewport.addEventListener('keydown', (e) => {
    const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) select(Math.max(selected, 0) + moves[e.key]);
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(events.length - 1);
    else return;
    e.preventDefault();
  });

  (async () => {
    let cursor: string | undefined;
    do {
      const page = await getJson<{ events: HistoryEvent[]; nextCursor: string | null }>(
        `/api/runs/${encodeURIComponent(runName)}/history`,
        // A small first page puts rows on screen at once; the rest follow in pages of 1,000.
        { cursor, limit: cursor ? '1000' : '100' },
      );
      if (stopped) return;
      if (start0 === null && page.events.length > 0) start0 = page.events[0].timestamp;
      for (const e of page.events) events.push(e);
      spacer.style.height = `${events.length * ROW_HEIGHT}px`;
      viewport.setAttribute('aria-rowcount', String(events.length));
      cursor = page.nextCursor ?? undefined;
      onCount(events.length, !cursor);
      schedule();
    } while (cursor && !stopped);
  })().catch((e) => {
    detail.textContent = `Could not load the history: ${(e as Error).message}`;
  });

  return {
    element,
    stop() {
      stopped = true;
      if (frame) cancelAnimationFrame(frame);
    },
  };
}
