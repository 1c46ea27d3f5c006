import type { Json } from './json.js';

/**
 * Live updates: server-sent events while they work; when the stream keeps failing (a proxy that
 * buffers, a browser without EventSource) the pages poll instead, and the header says which.
 */
type Handler = (data: Json) => void;

const handlers = new Map<string, Set<Handler>>();
let source: EventSource | null = null;
let failures = 0;
let pollTimer: number | null = null;

function status(text: string): void {
  const el = document.getElementById('live');
  if (el) el.textContent = text;
}

function dispatch(type: string, data: unknown): void {
  for (const handler of handlers.get(type) ?? []) handler(data);
}

export function startLive(): void {
  if (source || pollTimer !== null) return;
  if (typeof EventSource === 'undefined') {
    startPolling();
    return;
  }
  source = new EventSource('/api/events');
  source.onopen = () => {
    failures = 0;
    status('live');
  };
  source.onerror = () => {
    failures += 1;
    status('reconnecting…');
    if (failures >= 3) {
      source?.close();
      source = null;
      startPolling();
    }
  };
  for (const type of ['run', 'activity']) {
    source.addEventListener(type, (e) => dispatch(type, JSON.parse((e as MessageEvent).data)));
  }
}

function startPolling(): void {
  status('updating every 5 s');
  pollTimer = window.setInterval(() => dispatch('poll', null), 5000);
}

/** Subscribes to `run`, `activity` or `poll`; returns the unsubscribe function. */
export function onLive(type: 'run' | 'activity' | 'poll', handler: Handler): () => void {
  const set = handlers.get(type) ?? new Set<Handler>();
  set.add(handler);
  handlers.set(type, set);
  return () => set.delete(handler);
}
