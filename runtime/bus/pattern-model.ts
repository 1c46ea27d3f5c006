import { InvalidEventPatternError } from './errors.js';

/** A scalar JSON value as it appears at a leaf of an event. */
export type LeafValue = string | number | boolean | null;

/** One entry of a pattern's value list, e.g. `"x"`, `{ "prefix": "a" }`, `{ "numeric": [">", 0] }`. */
export interface ValueMatcher {
  test(value: LeafValue): boolean;
}

/** A pattern field whose value is a list: the leaf values of the event field are tested against it. */
export interface LeafField {
  readonly kind: 'leaf';
  readonly key: string;
  readonly matchers: readonly ValueMatcher[];
  /** `{ "exists": true }` is in the list. */
  readonly existsTrue: boolean;
  /** `{ "exists": false }` is in the list. */
  readonly existsFalse: boolean;
}

/** A pattern field whose value is an object: the event's object at that key is matched recursively. */
export interface ObjectField {
  readonly kind: 'object';
  readonly key: string;
  readonly matcher: ObjectMatcher;
}

export interface ObjectMatcher {
  readonly fields: readonly (LeafField | ObjectField)[];
  /** The alternatives of a `$or` at this level; at least one must match the same event object. */
  readonly alternatives: readonly ObjectMatcher[] | undefined;
}

export type PathSegment = string | number;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Renders a path like `detail.items[0]["a.b"]` for error messages. */
function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_$-]+$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function invalid(reason: string, path: readonly PathSegment[]): never {
  throw new InvalidEventPatternError(reason, formatPath(path));
}
