import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, matchesPattern, validatePattern } from '../../../../runtime/bus/event-pattern.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);
const key = fc.string({ minLength: 1, maxLength: 6 }).filter((k) => k !== '$or' && !k.includes('.'));
const { node } = fc.letrec<{ node: Json; object: { [key: string]: Json } }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), tie('object')),
  object: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
}));
const eventObject = fc.dictionary(key, node, { minKeys: 1, maxKeys: 5 });

/** A pattern made of values the event holds: at each level some keys, at each leaf one of its values. */
function patternFrom(
  event: { [key: string]: Json },
  pick: () => number,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(event)) {
    if (pick() % 2 === 0) continue;
    if (v === null || typeof v !== 'object') out[k] = [v];
    else if (Array.isArray(v)) {
      const leaf = firstScalar(v);
      if (leaf !== undefined) out[k] = [leaf];
    } else {
      const sub = patternFrom(v, pick);
      if (sub) out[k] = sub;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function firstScalar(values: readonly Json[]): Json | undefined {
  for (const v of values) {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      const inner = firstScalar(v);
      if (inner !== undefined) return inner;
    }
  }
  return undefined;
}

const comparable = fc.integer({ min: -5e8, max: 5e8 }).map((n) => n / 1000);

describe('event patterns (properties)', () => {
  it('returns true when the pattern is built from the event’s own values', () => {
    fc.assert(
      fc.property(eventObject, fc.infiniteStream(fc.nat()), (event, choices) => {
        // Arrange
        const it = choices[Symbol.iterator]();
        const pattern = patternFrom(event, () => it.next().value as number);
        fc.pre(pattern !== undefined);
        // Act
        const result = matchesPattern(pattern, event);
        // Assert
        expect(validatePattern(pattern)).toBeUndefined();
        expect(result).toBe(true);
      }),
    );
  });

  it('returns false when anything-but names the event’s string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.array(fc.string(), { maxLength: 3 }), (value, others) => {
        // Arrange
        const pattern = { f: [{ 'anything-but': [value, ...others] }] };
        // Act
        const result = matchesPattern(pattern, { f: value });
        // Assert
        expect(result).toBe(false);
      }),
    );
  });

  it('returns false when anything-but names the event’s number', () => {
    fc.assert(
      fc.property(comparable, (value) => {
        // Arrange
        const pattern = { f: [{ 'anything-but': value }] };
        // Act
        const result = matchesPattern(pattern, { f: value });
        // Assert
        expect(result).toBe(false);
      }),
    );
  });

  it('returns true when the value starts with the prefix and ends with the suffix', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (head, tail) => {
        // Arrange
        const value = head + tail;
        // Act
        const prefix = matchesPattern({ f: [{ prefix: head }] }, { f: value });
        const suffix = matchesPattern({ f: [{ suffix: tail }] }, { f: value });
        // Assert
        expect([prefix, suffix]).toEqual([true, true]);
      }),
    );
  });

  it('returns the JS startsWith answer for prefix on any two strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 3 }), fc.string({ maxLength: 5 }), (head, value) => {
        // Arrange
        const pattern = { f: [{ prefix: head }] };
        // Act
        const result = matchesPattern(pattern, { f: value });
        // Assert
        expect(result).toBe(value.startsWith(head));
      }),
    );
  });

  it('returns true when equals-ignore-case compares an ASCII string with its upper case', () => {
    fc.assert(
      fc.property(fc.string(), (value) => {
        // Arrange
        const pattern = { f: [{ 'equals-ignore-case': value.toUpperCase() }] };
        // Act
        const result = matchesPattern(pattern, { f: value.toLowerCase() });
        // Assert
        expect(result).toBe(true);
      }),
    );
  });

  it('returns true only for the literal string when a wildcard escapes every star and backslash', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary', maxLength: 3 }),
        (value, other) => {
          // Arrange
          const wildcard = value.replace(/[\\*]/g, (c) => `\\${c}`);
          const compiled = compilePattern({ f: [{ wildcard }] });
          // Act
          const same = compiled.matches({ f: value });
          const different = compiled.matches({ f: value + other });
          // Assert
          expect(same).toBe(true);
          expect(different).toBe(other === '');
        },
      ),
    );
  });

  it('returns the same answer as plain comparison for numeric ranges', () => {
    fc.assert(
      fc.property(comparable, comparable, comparable, (a, b, x) => {
        // Arrange
        fc.pre(a < b);
        const pattern = { f: [{ numeric: ['>', a, '<=', b] }] };
        // Act
        const result = matchesPattern(pattern, { f: x });
        // Assert
        expect(result).toBe(x > a && x <= b);
      }),
    );
  });

  it('returns a string or undefined and never throws for any JSON pattern and event', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (pattern, event) => {
        // Arrange
        const reason = validatePattern(pattern);
        // Act
        const matched =
          reason === undefined && event !== null && typeof event === 'object' && !Array.isArray(event)
            ? matchesPattern(pattern, event)
            : undefined;
        // Assert
        expect(reason === undefined || typeof reason === 'string').toBe(true);
        expect(matched === undefined || typeof matched === 'boolean').toBe(true);
      }),
    );
  });
});
