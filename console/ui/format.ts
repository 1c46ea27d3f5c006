import { h } from './dom.js';

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export function when(at: number | string | null | undefined): string {
  if (at === null || at === undefined) return '—';
  const date = new Date(at);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString();
}

export function short(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 7) : '—';
}

const STATUS_TEXT: Record<string, string> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  RUNNING: 'running',
  ABORTED: 'aborted',
  TIMED_OUT: 'timed out',
  PENDING_REDRIVE: 'redrive pending',
};

/** A status as a word plus a colour; the word carries the meaning, the colour only helps. */
export function badge(status: string): HTMLElement {
  const key = status.toLowerCase().replace(/_/g, '-');
  return h(
    'span',
    { class: `badge s-${key}` },
    STATUS_TEXT[status] ?? status.toLowerCase().replace(/_/g, ' '),
  );
}

export function runLink(name: string, text: string = name): HTMLElement {
  return h('a', { href: `#/runs/${encodeURIComponent(name)}` }, text);
}

export function runNameOf(executionArn: string | null | undefined): string | null {
  if (!executionArn) return null;
  return executionArn.split(':').at(-1) ?? null;
}

export function releaseLink(version: string | null | undefined): HTMLElement | string {
  return version ? h('a', { href: `#/releases/${encodeURIComponent(version)}` }, version) : '—';
}
