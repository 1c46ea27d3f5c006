import { InvalidInputError } from '../errors.js';
import type { SnapshotLabels } from '../ports/snapshot-provider.js';

const REQUIRED = ['pipeline', 'run', 'ttl'] as const;
/** Tag keys every provider can store: AWS allows 128 chars, Purity tag keys are stricter, so stay small. */
const KEY = /^[a-z][a-z0-9_.-]{0,62}$/;
const MAX_VALUE = 256;
const MAX_LABELS = 20;

/**
 * Orders machine strings (label keys, ISO timestamps) the same under every locale. Not
 * localeCompare: its first call in a process loads ICU's collator (~12 ms measured), which every
 * snapshot request of a new process paid, for an order that could differ between machines.
 */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Throws InvalidInputError naming the first bad label; returns a plain sorted copy otherwise. */
export function validateLabels(labels: unknown): SnapshotLabels {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    throw new InvalidInputError('labels must be an object of string values with pipeline, run and ttl');
  }
  const entries = Object.entries(labels as Record<string, unknown>);
  if (entries.length > MAX_LABELS)
    throw new InvalidInputError(`labels: at most ${MAX_LABELS} labels are allowed`);
  for (const [key, value] of entries) {
    if (!KEY.test(key)) {
      throw new InvalidInputError(`labels: key "${key}" must match ${KEY.source} (lowercase, max 63 chars)`);
    }
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_VALUE) {
      throw new InvalidInputError(`labels.${key} must be a non-empty string of at most ${MAX_VALUE} chars`);
    }
  }
  for (const key of REQUIRED) {
    if (!(key in (labels as object))) {
      throw new InvalidInputError(
        `labels.${key} is required (every snapshot resource carries pipeline, run and ttl)`,
      );
    }
  }
  const ttl = (labels as Record<string, string>).ttl;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(ttl) || Number.isNaN(Date.parse(ttl))) {
    throw new InvalidInputError(`labels.ttl must be an ISO 8601 timestamp, got "${ttl}"`);
  }
  return Object.fromEntries(entries.sort(([a], [b]) => byCodeUnit(a, b))) as unknown as SnapshotLabels;
}

/**
 * The labels that make two starts the same request: all but `ttl`. The caller computes ttl from its
 * own clock (now + maxAge), so the same start invoked again later (the task re-run after a restart,
 * a Lambda retry) carries a later ttl for the very same request; the resource keeps the ttl of the
 * start that created it.
 */
export function requestLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const { ttl: _ttl, ...rest } = labels;
  return Object.fromEntries(Object.entries(rest).sort(([x], [y]) => byCodeUnit(x, y)));
}

/** Whether an existing resource's labels fit a start with these labels (ttl aside, see requestLabels). */
export function sameLabels(
  a: Readonly<Record<string, string>>,
  b: Readonly<Record<string, string>>,
): boolean {
  return JSON.stringify(requestLabels(a)) === JSON.stringify(requestLabels(b));
}

export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  selector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** True when the resource's ttl has passed at `now`. A missing or unparsable ttl never expires. */
export function isExpired(labels: Readonly<Record<string, string>>, now: Date): boolean {
  const at = Date.parse(labels.ttl ?? '');
  return !Number.isNaN(at) && at <= now.getTime();
}
