import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyResultPath, evaluatePath, validatePath } from '../../../../../runtime/asl/jsonpath/index.js';
import { renderSegments } from '../../../../../runtime/asl/jsonpath/path-ast.js';
import { parsePath } from '../../../../../runtime/asl/jsonpath/path-parser.js';

type Step = string | number;

/** Every route from the root to a node of `value`, with the node. */
function routes(value: unknown, prefix: Step[] = []): [Step[], unknown][] {
  const here: [Step[], unknown][] = [[prefix, value]];
  if (Array.isArray(value)) return here.concat(value.flatMap((item, i) => routes(item, [...prefix, i])));
  if (value !== null && typeof value === 'object') {
    return here.concat(Object.entries(value).flatMap(([key, item]) => routes(item, [...prefix, key])));
  }
  return here;
}

/** Writes a route as a path, choosing dot or bracket notation and a quote the name allows. */
function toPath(route: Step[], style: number): string | undefined {
  let path = '$';
  for (const step of route) {
    if (typeof step === 'number') path += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step) && style % 2 === 0) path += `.${step}`;
    else if (!step.includes("'") && !step.includes('\\')) path += `['${step}']`;
    else if (!step.includes('"') && !step.includes('\\')) path += `["${step}"]`;
    else return undefined;
  }
  return path;
}

const identifier = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);

describe('JSONPath parser properties', () => {
  it('returns the generated value for a path to any node of generated JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.nat(), fc.nat(), (document, pick, style) => {
        // Arrange
        const all = routes(document);
        const [route, expected] = all[pick % all.length];
        const path = toPath(route, style);
        fc.pre(path !== undefined);
        // Act
        const actual = evaluatePath(path!, document);
        // Assert
        expect(actual).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('parses its own canonical rendering back to the same segments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            identifier,
            fc.integer({ min: -5, max: 50 }),
            fc.constant('*'),
            fc.tuple(fc.option(fc.integer({ min: -9, max: 9 })), fc.option(fc.integer({ min: -9, max: 9 }))),
          ),
          { maxLength: 6 },
        ),
        (steps) => {
          // Arrange
          const source = `$${steps
            .map((step) => {
              if (step === '*') return '[*]';
              if (typeof step === 'number') return `[${step}]`;
              if (Array.isArray(step)) return `[${step[0] ?? ''}:${step[1] ?? ''}]`;
              return `.${step}`;
            })
            .join('')}`;
          // Act
          const parsed = parsePath(source);
          const reparsed = parsePath(renderSegments(parsed.segments));
          // Assert
          expect(reparsed.segments).toEqual(parsed.segments);
          expect(validatePath(source)).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads back what applyResultPath wrote at any identifier path', () => {
    fc.assert(
      fc.property(
        fc.dictionary(identifier, fc.jsonValue({ maxDepth: 2 })),
        fc.array(identifier, { minLength: 1, maxLength: 4 }),
        fc.jsonValue({ maxDepth: 2 }),
        (input, names, result) => {
          // Arrange
          const path = `$.${names.join('.')}`;
          let output: unknown;
          try {
            output = applyResultPath(input, path, result);
          } catch (error) {
            // Only a scalar on the way may refuse the write.
            expect((error as Error).name).toBe('States.ResultPathMatchFailure');
            return;
          }
          // Act
          const readBack = evaluatePath(path, output);
          // Assert
          expect(readBack).toEqual(result);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a one-line path error on arbitrary text', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }).map((s) => `$${s}`),
        (source) => {
          // Arrange / Act
          const message = validatePath(source);
          // Assert
          if (message !== undefined) expect(message).not.toContain('\n');
        },
      ),
      { numRuns: 500 },
    );
  });
});
