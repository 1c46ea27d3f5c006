import { matchesPattern } from './string-matches.js';
import { compareInstants, parseTimestamp } from './timestamp.js';

/** How one comparison operator judges `variable` against `expected` (a literal or a Path value). */
export type Comparison = (variable: unknown, expected: unknown) => boolean;

const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';

// Every comparison is false when either side has the wrong type: the recorded truth tables show
// AWS never raises for a type mismatch (e.g. NumericEquals on "" or StringEquals on 0).
function strings(test: (a: string, b: string) => boolean): Comparison {
  return (a, b) => isString(a) && isString(b) && test(a, b);
}

function numbers(test: (a: number, b: number) => boolean): Comparison {
  return (a, b) => isNumber(a) && isNumber(b) && test(a, b);
}

function timestamps(test: (order: number) => boolean): Comparison {
  return (a, b) => {
    const left = parseTimestamp(a);
    const right = parseTimestamp(b);
    return left !== undefined && right !== undefined && test(compareInstants(left, right));
  };
}

/** The binary operators; each also exists as `<name>Path`, whose value is read from a path. */
export const COMPARISONS: Readonly<Record<string, Comparison>> = {
  StringEquals: strings((a, b) => a === b),
  StringLessThan: strings((a, b) => a < b),
  StringGreaterThan: strings((a, b) => a > b),
  StringLessThanEquals: strings((a, b) => a <= b),
  StringGreaterThanEquals: strings((a, b) => a >= b),
  StringMatches: strings((a, b) => matchesPattern(a, b)),
  NumericEquals: numbers((a, b) => a === b),
  NumericLessThan: numbers((a, b) => a < b),
  NumericGreaterThan: numbers((a, b) => a > b),
  NumericLessThanEquals: numbers((a, b) => a <= b),
  NumericGreaterThanEquals: numbers((a, b) => a >= b),
  BooleanEquals: (a, b) => typeof a === 'boolean' && typeof b === 'boolean' && a === b,
  TimestampEquals: timestamps((order) => order === 0),
  TimestampLessThan: timestamps((order) => order < 0),
  TimestampGreaterThan: timestamps((order) => order > 0),
  TimestampLessThanEquals: timestamps((order) => order <= 0),
  TimestampGreaterThanEquals: timestamps((order) => order >= 0),
};

/** The type tests; the rule's value (true/false) says whether the test must pass or fail. */
export const TYPE_TESTS: Readonly<Record<string, (value: unknown) => boolean>> = {
  IsNull: (value) => value === null,
  IsNumeric: isNumber,
  IsString: isString,
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: (value) => parseTimestamp(value) !== undefined,
};
