import { getJson } from './api.js';
import { onLive } from './live.js';

/** What the runs list and the header need to know about approvals waiting for someone. */
export interface Waiting {
  readonly environment: string;
  readonly approvers: readonly string[];
}

let waiting = new Map<string, Waiting>();
const listeners = new Set<() => void>();
let timer: number | null = null;

/** Pending approvals by run name: a run waiting at a gate needs a person, not just time. */
export function waitingRuns(): ReadonlyMap<string, Waiting> {
  return waiting;
}

export function onWaitingChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function refreshWaiting(): Promise<void> {
  try {
    const { approvals } = await getJson<{
      approvals: Array<{ executionArn: string; environment: string; approvers: string[] }>;
    }>('/api/approvals');
    waiting = new Map(
      approvals.map((a) => [
        a.executionArn.split(':').at(-1) ?? a.executionArn,
        { environment: a.environment, approvers: a.approvers },
      ]),
    );
  } catch {
    return; // the header keeps its last count; the inbox page shows the error itself
  }
  const link = document.querySelector('header nav a[href="#/approvals"]');
  if (link) {
    link.textContent = waiting.size ? `Approvals (${waiting.size})` : 'Approvals';
    link.setAttribute('aria-label', `Approvals, ${waiting.size} waiting`);
  }
  for (const listener of listeners) listener();
}

/** Keeps the count fresh: runs reaching or leaving a gate arrive as live events. */
export function followWaiting(): void {
  const soon = () => {
    if (timer !== null) return;
    timer = window.setTimeout(() => {
      timer = null;
      void refreshWaiting();
    }, 300);
  };
  onLive('activity', soon);
  onLive('run', soon);
  onLive('poll', soon);
  void refreshWaiting();
}
