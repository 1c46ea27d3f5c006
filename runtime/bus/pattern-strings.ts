import type { LeafValue, ValueMatcher } from './pattern-model.js';
import { comparableNumber } from './pattern-numbers.js';

/**
 * Value matchers for the string and literal operators. String operators only ever match JSON
 * strings: EventBridge compares the JSON text, so `"5"` and `5` never meet.
 */

export function exactString(expected: string): ValueMatcher {
  return { test: (value) => value === expected };
}

/** A bare number in a pattern matches numerically (5 matches 5.0) and, failing that, by identity. */
export function exactNumber(expected: number): ValueMatcher {
  const scaled = comparableNumber(expected);
  return {
    test(value: LeafValue): boolean {
      if (typeof value !== 'number') return false;
      if (value === expected) return true;
      return scaled !== undefined && comparableNumber(value) === scaled;
    },
  };
}

export function exactLiteral(expected: boolean | null): ValueMatcher {
  return { test: (value) => value === expected };
}

export function stringTest(predicate: (value: string) => boolean): ValueMatcher {
  return { test: (value) => typeof value === 'string' && predicate(value) };
}

/**
 * event-ruler folds case per character: a character matches if it equals the pattern's character
 * in lower or upper case. Comparing code point by code point keeps lengths honest (ß is not SS).
 */
function sameIgnoringCase(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && x.toLowerCase() !== y.toLowerCase() && x.toUpperCase() !== y.toUpperCase()) return false;
  }
  return true;
}

export function equalsIgnoreCase(expected: string): (value: string) => boolean {
  const want = Array.from(expected);
  return (value) => sameIgnoringCase(Array.from(value), want);
}

export function prefixIgnoreCase(prefix: string): (value: string) => boolean {
  const want = Array.from(prefix);
  return (value) => sameIgnoringCase(Array.from(value).slice(0, want.length), want);
}

export function suffixIgnoreCase(suffix: string): (value: string) => boolean {
  const want = Array.from(suffix);
  return (value) => {
    const chars = Array.from(value);
    return chars.length >= want.length && sameIgnoringCase(chars.slice(chars.length - want.length), want);
  };
}

/**
 * `anything-but`: matches every present value except the listed ones. A listed string only
 * excludes that string and a listed number only excludes that number (compared numerically), so
 * `{ "anything-but": 5 }` still matches `"5"`, and null or booleans always pass.
 */
export function anythingBut(values: readonly (string | number)[]): ValueMatcher {
  const strings = new Set(values.filter((v): v is string => typeof v === 'string'));
  const numbers = new Set(
    values.filter((v): v is number => typeof v === 'number').map((v) => comparableNumber(v)),
  );
  return {
    test(value: LeafValue): boolean {
      if (typeof value === 'string') return !strings.has(value);
      if (typeof value === 'number') {
        const scaled = comparableNumber(value);
        return scaled === undefined || !numbers.has(scaled);
      }
      return true;
    },
  };
}

/** `anything-but` over string operators: non-strings always pass; strings pass if no test hits. */
export function anythingButStrings(tests: readonly ((value: string) => boolean)[]): ValueMatcher {
  return {
    test(value: LeafValue): boolean {
      if (typeof value !== 'string') return true;
      return !tests.some((t) => t(value));
    },
  };
}
