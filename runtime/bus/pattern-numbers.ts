import type { LeafValue, PathSegment, ValueMatcher } from './pattern-model.js';
import { invalid } from './pattern-model.js';

/**
 * EventBridge compares numbers as fixed-point values: within ±5.0e11 and to six decimal places
 * (event-ruler's ComparableNumber). A number outside that domain never matches numerically; in a
 * pattern it is refused.
 */
const NUMERIC_LIMIT = 5e11;

/** The number scaled by 10^6 as an exact integer, or undefined outside the comparable domain. */
export function comparableNumber(value: number): bigint | undefined {
  if (!Number.isFinite(value) || Math.abs(value) > NUMERIC_LIMIT) return undefined;
  const fixed = value.toFixed(6);
  // More than six significant decimals: the fixed form is a different number.
  if (Number(fixed) !== value) return undefined;
  return BigInt(fixed.replace('.', ''));
}

/** A pattern-side number: refused with EventBridge's reason when it is not comparable. */
export function patternNumber(value: unknown, path: readonly PathSegment[], what: string): bigint {
  if (typeof value !== 'number' || !Number.isFinite(value)) invalid(`Value of ${what} must be numeric`, path);
  if (Math.abs(value) > NUMERIC_LIMIT) invalid('Value must be between -5.0E11 and 5.0E11, inclusive', path);
  const scaled = comparableNumber(value);
  if (scaled === undefined) invalid('Only values upto 6 decimals are supported', path);
  return scaled;
}

interface Bound {
  readonly at: bigint;
  readonly open: boolean;
}

class NumericRange implements ValueMatcher {
  constructor(
    private readonly lower: Bound | undefined,
    private readonly upper: Bound | undefined,
  ) {}

  test(value: LeafValue): boolean {
    if (typeof value !== 'number') return false;
    const n = comparableNumber(value);
    if (n === undefined) return false;
    if (this.lower && (this.lower.open ? n <= this.lower.at : n < this.lower.at)) return false;
    if (this.upper && (this.upper.open ? n >= this.upper.at : n > this.upper.at)) return false;
    return true;
  }
}

const LOWER_OPS = new Set(['>', '>=']);
const UPPER_OPS = new Set(['<', '<=']);

/** `{ "numeric": [ ">", 0, "<=", 5 ] }` and its one-sided and `=` forms. */
export function compileNumeric(spec: unknown, path: readonly PathSegment[]): ValueMatcher {
  if (!Array.isArray(spec)) invalid('Value of numeric must be an array.', path);
  const [op, value, op2, value2, ...rest] = spec;
  if (typeof op !== 'string') invalid(`Invalid member in numeric match: ${show(op)}`, [...path, 0]);
  if (op === '=') {
    const at = patternNumber(value, [...path, 1], '=');
    if (spec.length > 2) invalid('Too many elements in numeric expression', path);
    return new NumericRange({ at, open: false }, { at, open: false });
  }
  if (UPPER_OPS.has(op)) {
    const at = patternNumber(value, [...path, 1], op);
    if (spec.length > 2) invalid('Too many elements in numeric expression', path);
    return new NumericRange(undefined, { at, open: op === '<' });
  }
  if (!LOWER_OPS.has(op)) invalid(`Unrecognized numeric range operator: ${op}`, [...path, 0]);
  const lower: Bound = { at: patternNumber(value, [...path, 1], op), open: op === '>' };
  if (spec.length === 2) return new NumericRange(lower, undefined);
  if (typeof op2 !== 'string') invalid(`Bad value in numeric range: ${show(op2)}`, [...path, 2]);
  if (!UPPER_OPS.has(op2)) invalid(`Bad numeric range operator: ${op2}`, [...path, 2]);
  const upper: Bound = { at: patternNumber(value2, [...path, 3], op2), open: op2 === '<' };
  if (rest.length > 0) invalid('Too many terms in numeric range expression', path);
  if (lower.at >= upper.at) invalid('Bottom must be less than top', path);
  return new NumericRange(lower, upper);
}

function show(value: unknown): string {
  return value === undefined ? '(nothing)' : JSON.stringify(value);
}
