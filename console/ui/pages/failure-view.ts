import { readableFailure } from '../../../model/failure-text.js';
import { h } from '../dom.js';

/**
 * A failure in words first: the error's name said plainly, its ASL name beside it, the message in
 * full. The record as the history holds it (escaped JSON, the Lambda wrapper) is one click away.
 */
export function failureText(error: string | null, cause: unknown, raw: unknown): HTMLElement[] {
  const failure = readableFailure(error, cause);
  const parts: Array<HTMLElement | null> = [
    h(
      'p',
      { class: 'failure-title' },
      h('strong', {}, failure.title),
      ' ',
      h('code', { class: 'error-name' }, failure.error),
    ),
    failure.message ? h('p', { class: 'cause' }, failure.message) : null,
    h('details', { class: 'raw-record' }, h('summary', {}, 'Raw record'), h('pre', {}, pretty(raw))),
  ];
  return parts.filter((e): e is HTMLElement => e !== null);
}

/** JSON held in strings (a cause is JSON text, often holding more) shown as the structure it is. */
function pretty(value: unknown): string {
  return JSON.stringify(unwrap(value, 0), null, 2);
}

function unwrap(value: unknown, depth: number): unknown {
  if (depth > 4) return value;
  if (typeof value === 'string') {
    const t = value.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      try {
        return unwrap(JSON.parse(t), depth + 1);
      } catch {
        return value;
      }
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => unwrap(v, depth + 1));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrap(v, depth + 1)]));
  return value;
}
