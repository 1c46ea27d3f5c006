import { describe, expect, it } from 'vitest';
import { evaluateChoiceRule, type JsonPathScope } from '../../../../../../runtime/asl/jsonpath/index.js';

const scope = (input: unknown, variables: Record<string, unknown> = {}): JsonPathScope => ({
  input,
  context: { Execution: { Input: { 'input-value': 0 } } },
  variables,
});

describe('evaluateChoiceRule', () => {
  it('returns true only when every And rule holds', () => {
    // Arrange (the AWS docs scenario, recorded as CHOICE_STATE_AWS_SCENARIO)
    const rule = {
      And: [
        { Variable: '$.value', NumericGreaterThanEquals: 20 },
        { Variable: '$.value', NumericLessThan: 30 },
      ],
    };
    // Act / Assert
    expect(evaluateChoiceRule(rule, scope({ value: 22 }))).toBe(true);
    expect(evaluateChoiceRule(rule, scope({ value: 30 }))).toBe(false);
  });

  it('returns true when any Or rule holds and inverts with Not', () => {
    // Arrange
    const or = {
      Or: [
        { Variable: '$.t', StringEquals: 'a' },
        { Variable: '$.t', StringEquals: 'b' },
      ],
    };
    const not = { Not: { Variable: '$.type', StringEquals: 'Private' } };
    // Act / Assert
    expect(evaluateChoiceRule(or, scope({ t: 'b' }))).toBe(true);
    expect(evaluateChoiceRule(or, scope({ t: 'c' }))).toBe(false);
    expect(evaluateChoiceRule(not, scope({ type: 'Private' }))).toBe(false);
  });

  it('reads the Variable from the context object and from variables', () => {
    // Arrange / Act / Assert (recorded: context_object variable)
    expect(
      evaluateChoiceRule({ Variable: '$$.Execution.Input.input-value', NumericLessThanEquals: 0 }, scope({})),
    ).toBe(true);
    expect(evaluateChoiceRule({ Variable: '$count', NumericEquals: 3 }, scope({}, { count: 3 }))).toBe(true);
    expect(
      evaluateChoiceRule({ Variable: '$cfg.on', BooleanEquals: true }, scope({}, { cfg: { on: true } })),
    ).toBe(true);
  });

  it('matches * wildcards and escaped \\* in StringMatches', () => {
    // Arrange / Act / Assert
    const matches = (value: string, pattern: string) =>
      evaluateChoiceRule({ Variable: '$.v', StringMatches: pattern }, scope({ v: value }));
    expect(matches('log-2024.txt', 'log-*.txt')).toBe(true);
    expect(matches('log.txt', 'log*.txt')).toBe(true);
    expect(matches('log-1.csv', 'log-*.txt')).toBe(false);
    expect(matches('a*b', 'a\\*b')).toBe(true);
    expect(matches('axb', 'a\\*b')).toBe(false);
    expect(matches('a\\b', 'a\\\\b')).toBe(true);
    expect(matches('x.y(z)', 'x.y(*)')).toBe(true);
  });

  it('compares timestamps with offsets and fractional seconds', () => {
    // Arrange
    const compare = (operator: string, left: string, right: string) =>
      evaluateChoiceRule({ Variable: '$.t', [operator]: right }, scope({ t: left }));
    // Act / Assert
    expect(compare('TimestampEquals', '2012-10-09T20:00:55+01:00', '2012-10-09T19:00:55Z')).toBe(true);
    expect(
      compare('TimestampLessThan', '2012-10-09T19:00:55.000000001Z', '2012-10-09T19:00:55.00000001Z'),
    ).toBe(true);
    expect(compare('TimestampGreaterThan', '2012-10-09T19:00:55Z', '2012-10-09T19:00:55-00:30')).toBe(false);
  });

  it('treats strings that are not RFC 3339 with T and a zone as non-timestamps', () => {
    // Arrange
    const isTimestamp = (value: unknown) =>
      evaluateChoiceRule({ Variable: '$.t', IsTimestamp: true }, scope({ t: value }));
    // Act / Assert
    expect(isTimestamp('2012-10-09T19:00:55Z')).toBe(true);
    expect(isTimestamp('2012-10-09T19:00:55.123+05:30')).toBe(true);
    expect(isTimestamp('2012-10-09T19:00:55')).toBe(false);
    expect(isTimestamp('2012-10-09t19:00:55z')).toBe(false);
    expect(isTimestamp('2023-02-24 12:15:56.832957')).toBe(false);
    expect(isTimestamp('2023-02-30T00:00:00Z')).toBe(false);
    expect(isTimestamp(20230224)).toBe(false);
  });

  it('returns IsPresent false instead of failing when the path is missing', () => {
    // Arrange / Act / Assert
    expect(evaluateChoiceRule({ Variable: '$.gone', IsPresent: false }, scope({}))).toBe(true);
    expect(evaluateChoiceRule({ Variable: '$.gone', IsPresent: true }, scope({}))).toBe(false);
    expect(evaluateChoiceRule({ Variable: '$undefinedVar', IsPresent: true }, scope({}))).toBe(false);
  });

  it('throws States.Runtime with AWS cause when the Variable path is missing', () => {
    // Arrange / Act / Assert
    expect(() => evaluateChoiceRule({ Variable: '$.value', NumericEquals: 42 }, scope({}))).toThrowError(
      expect.objectContaining({
        name: 'States.Runtime',
        message: "Invalid path '$.value': The choice state's condition path references an invalid value.",
      }),
    );
  });

  it('throws States.Runtime when the compared ...Path is missing', () => {
    // Arrange / Act / Assert
    expect(() =>
      evaluateChoiceRule({ Variable: '$.a', StringEqualsPath: '$.b' }, scope({ a: 'x' })),
    ).toThrowError(
      expect.objectContaining({
        name: 'States.Runtime',
        message: expect.stringContaining("Invalid path '$.b'"),
      }),
    );
  });

  it('throws a one-line error for each kind of malformed rule', () => {
    // Arrange
    const malformed: Record<string, Record<string, unknown>> = {
      'no operator': { Variable: '$.a', Next: 'X' },
      'unknown operator': { Variable: '$.a', StringLooksLike: 'x' },
      'missing Variable': { StringEquals: 'x' },
      'empty And': { And: [] },
      'Or of non-rules': { Or: [1] },
      'Not of an array': { Not: [] },
      'type test with a non-boolean': { Variable: '$.a', IsNull: 'yes' },
      'Path operator with a non-string': { Variable: '$.a', NumericEqualsPath: 1 },
    };
    // Act / Assert
    for (const [kind, rule] of Object.entries(malformed)) {
      expect(() => evaluateChoiceRule(rule, scope({ a: 1 })), kind).toThrowError(/^[^\n]+$/);
    }
  });
});
