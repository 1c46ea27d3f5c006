import type { RunSummary } from '../../model/run-summary.js';
import { BadRequestError } from './errors.js';

/**
 * The runs list's search: commit hash prefix, author, message text, ticket ID and a date range,
 * each checked once here so a bad value is a one-line 400 and never an empty list.
 */
export interface RunSearchQuery {
  readonly commit?: string;
  readonly author?: string;
  readonly text?: string;
  readonly ticket?: string;
  readonly from?: string;
  readonly to?: string;
}

export interface RunSearch {
  readonly commit?: string;
  readonly author?: string;
  readonly text?: string;
  readonly ticket?: RegExp;
  readonly from?: number;
  readonly to?: number;
}

const COMMIT_PREFIX = /^[0-9a-f]{1,40}$/;
const TICKET = /^[A-Za-z][A-Za-z0-9]{0,9}-\d{1,9}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DAY = 86_400_000;

export function parseRunSearch(query: RunSearchQuery): RunSearch {
  const search: {
    commit?: string;
    author?: string;
    text?: string;
    ticket?: RegExp;
    from?: number;
    to?: number;
  } = {};
  const commit = query.commit?.trim().toLowerCase();
  if (commit) {
    if (!COMMIT_PREFIX.test(commit))
      throw new BadRequestError(`commit must be a hex commit hash or its prefix, got ${quote(commit)}`);
    search.commit = commit;
  }
  for (const field of ['author', 'text'] as const) {
    const value = query[field]?.trim();
    if (!value) continue;
    if (value.length > 200) throw new BadRequestError(`${field} must be at most 200 characters`);
    search[field] = value.toLowerCase();
  }
  const ticket = query.ticket?.trim();
  if (ticket) {
    if (!TICKET.test(ticket))
      throw new BadRequestError(`ticket must look like ABC-123, got ${quote(ticket)}`);
    // A whole word, so ABC-12 does not find ABC-123.
    search.ticket = new RegExp(`(^|[^A-Za-z0-9])${ticket}(?![0-9])`, 'i');
  }
  if (query.from) search.from = dateOf(query.from, 'from', false);
  if (query.to) search.to = dateOf(query.to, 'to', true);
  if (search.from !== undefined && search.to !== undefined && search.from > search.to)
    throw new BadRequestError(`from (${query.from}) is after to (${query.to})`);
  return search;
}

export function isEmptySearch(search: RunSearch): boolean {
  return Object.keys(search).length === 0;
}

export function matchesSearch(run: RunSummary, search: RunSearch): boolean {
  if (search.from !== undefined && run.startDate < search.from) return false;
  if (search.to !== undefined && run.startDate > search.to) return false;
  if (search.commit && !run.commit?.toLowerCase().startsWith(search.commit)) return false;
  if (search.author && !run.author?.toLowerCase().includes(search.author)) return false;
  if (search.text && !run.message?.toLowerCase().includes(search.text)) return false;
  if (search.ticket && !search.ticket.test(`${run.message ?? ''}\n${run.branch ?? ''}`)) return false;
  return true;
}

/** A day (`2026-03-01`, UTC, the whole day for `to`) or an ISO 8601 time with its offset. */
function dateOf(text: string, field: string, endOfDay: boolean): number {
  const value = text.trim();
  const t = DATE.test(value) ? Date.parse(`${value}T00:00:00Z`) : Date.parse(value);
  if (!Number.isFinite(t) || !(DATE.test(value) || /T.*(Z|[+-]\d{2}:\d{2})$/.test(value)))
    throw new BadRequestError(
      `${field} must be a date (2026-03-01) or an ISO 8601 time with offset, got ${quote(value)}`,
    );
  return DATE.test(value) && endOfDay ? t + DAY - 1 : t;
}

function quote(value: string): string {
  return JSON.stringify(value.slice(0, 60));
}
