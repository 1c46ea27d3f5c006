import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic, type JsonPathScope } from '../../../../../../runtime/asl/jsonpath/index.js';
import { parseIntrinsic } from '../../../../../../runtime/asl/jsonpath/intrinsic/parser.js';
import { tokenize } from '../../../../../../runtime/asl/jsonpath/intrinsic/tokenizer.js';

const scope: JsonPathScope = { input: {}, context: {}, variables: {} };

/** Writes `text` as an intrinsic string literal, escaping the four reserved characters. */
function literal(text: string): string {
  return `'${text.replace(/[\\'{}]/g, (char) => `\\${char}`)}'`;
}

describe('intrinsic tokenizer and parser properties', () => {
  it('parses any string literal with escapes back to itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        // Arrange
        const source = literal(text);
        // Act
        const tokens = tokenize(source);
        // Assert
        expect(tokens).toHaveLength(1);
        expect(tokens[0]).toMatchObject({ type: 'string', value: text });
      }),
    );
  });

  it('returns every literal argument unchanged from States.Array', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ maxLength: 10 }),
            fc.integer({ min: -1e6, max: 1e6 }),
            fc.boolean(),
            fc.constant(null),
            fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
          ),
          { maxLength: 6 },
        ),
        (values) => {
          // Arrange
          const args = values.map((value) =>
            typeof value === 'string' ? literal(value) : JSON.stringify(value),
          );
          // Act
          const result = evaluateIntrinsic(`States.Array(${args.join(', ')})`, scope);
          // Assert
          expect(result).toEqual(values.map((value) => (Object.is(value, -0) ? 0 : value)));
        },
      ),
    );
  });

  it('fills each unescaped {} of a literal template and keeps escaped braces', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 5 }),
        fc.string({ maxLength: 8 }),
        (pieces, value) => {
          // Arrange: the pieces may contain braces and quotes; literal() escapes them all
          const template = pieces.map((piece) => literal(piece).slice(1, -1)).join('{}');
          const values = pieces.slice(1).map(() => literal(value));
          // Act
          const result = evaluateIntrinsic(
            `States.Format('${template}'${values.map((v) => `, ${v}`).join('')})`,
            scope,
          );
          // Assert
          expect(result).toBe(pieces.join(value));
        },
      ),
    );
  });

  it('builds the same tree whatever blanks surround the tokens', () => {
    fc.assert(
      fc.property(fc.constantFrom(' ', '  ', '\t', ''), fc.integer({ min: -100, max: 100 }), (blank, n) => {
        // Arrange
        const tight = `States.MathAdd(States.ArrayLength(States.Array(1,2)),${n})`;
        const loose = `States.MathAdd(${blank}States.ArrayLength(${blank}States.Array(1${blank},${blank}2))${blank},${blank}${n}${blank})`;
        // Act / Assert
        expect(parseIntrinsic(loose)).toEqual(parseIntrinsic(tight));
        expect(evaluateIntrinsic(loose, scope)).toBe(2 + n);
      }),
    );
  });

  it('matches a naive loop for States.ArrayRange', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: -200, max: 200 }),
        fc.integer({ min: -20, max: 20 }).filter((step) => step !== 0),
        (start, end, step) => {
          // Arrange
          const expected: number[] = [];
          for (let v = start; step > 0 ? v <= end : v >= end; v += step) expected.push(v);
          // Act
          const result = evaluateIntrinsic(`States.ArrayRange(${start}, ${end}, ${step})`, scope);
          // Assert
          expect(result).toEqual(expected);
        },
      ),
    );
  });
});
