import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateChoiceRule } from '../../../../../../runtime/asl/jsonpath/index.js';

// The recorded tables are vendored with the conformance cases (test/conformance/recorded).
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../..');
const tablesDir = resolve(repoRoot, 'test/conformance/recorded/choice_operator_tables');

interface Row {
  definition: { States: { CheckValues: { Choices: Record<string, unknown>[] } } };
  input: string;
  expected_output: { 'TestResult.$': 'ConditionTrue' | 'ConditionFalse' };
}

// The snapshot tool replaced every timestamp with the word "date". The originals are the
// constants of LocalStack's test sources (test_timestamp_operators.py, choice_operators/utils.py):
// T0 = 2012-10-09T19:00:55Z, T1 = 2012-10-09T19:00:56Z; rows are in the order the tests list them.
const T0 = '2012-10-09T19:00:55Z';
const T1 = '2012-10-09T19:00:56Z';
const BASE: [string, string][] = [
  [T0, T0],
  [T0, T1],
  [T1, T0],
];
const TIMESTAMP_ROWS: Record<string, [string, string][]> = {
  'timestamp_equals.json': BASE,
  'timestamp_equals_path.json': BASE,
  'timestamp_greater_than.json': BASE,
  'timestamp_greater_than_equals.json': BASE,
  'timestamp_less_than.json': BASE,
  'timestamp_less_than_equals.json': BASE,
  'timestamp_greater_than_path.json': [[T0, T1]],
  'timestamp_greater_than_equals_path.json': [[T0, T1]],
  'timestamp_less_than_path.json': [[T1, T0]],
  'timestamp_less_than_equals_path.json': [[T1, T0]],
};
// In the 36-row type tables, rows 18-19 held "…55Z" and rows 20-21 "…55+01:00".
const TYPE_TABLE_DATES: Record<number, string> = {
  18: T0,
  19: T0,
  20: '2012-10-09T19:00:55+01:00',
  21: '2012-10-09T19:00:55+01:00',
};

function restoreDates(
  file: string,
  index: number,
  rows: number,
  input: Record<string, unknown>,
  rule: Record<string, unknown>,
) {
  const real = TIMESTAMP_ROWS[file];
  if (real) {
    // timestamp_equals starts with 14 type rows compared against T0, then the base comparisons.
    const offset = rows - real.length;
    const [variable, value] = index >= offset ? real[index - offset] : [input.Variable, T0];
    const restore = (v: unknown, to: unknown) => (v === 'date' ? to : v);
    input.Variable = restore(input.Variable, variable);
    input.Value = restore(input.Value, value);
    for (const key of Object.keys(rule))
      if (key !== 'Variable' && key !== 'Next') rule[key] = restore(rule[key], value);
  } else if (rows === 36 && input.Variable === 'date') {
    input.Variable = TYPE_TABLE_DATES[index];
  }
}

const files = readdirSync(tablesDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
let passed = 0;
let total = 0;

describe('evaluateChoiceRule against the AWS-recorded Choice operator tables', () => {
  afterAll(() => {
    console.log(`Choice operator tables: ${passed}/${total} rows pass`);
  });

  it('finds the recorded tables', () => {
    // Arrange / Act
    const count = files.length;
    // Assert
    expect(count).toBe(37);
  });

  for (const file of files) {
    const table = JSON.parse(readFileSync(join(tablesDir, file), 'utf8')) as {
      operator: string;
      rows: Row[];
    };
    it(`returns AWS's branch for every ${table.operator} row (${file})`, () => {
      const failures: string[] = [];
      table.rows.forEach((row, index) => {
        // Arrange
        const rule = structuredClone(row.definition.States.CheckValues.Choices[0]);
        const input = JSON.parse(row.input) as Record<string, unknown>;
        restoreDates(file, index, table.rows.length, input, rule);
        total++;
        // Act
        const matched = evaluateChoiceRule(rule, { input, context: {}, variables: {} });
        // Assert
        const expected = row.expected_output['TestResult.$'] === 'ConditionTrue';
        if (matched === expected) passed++;
        else
          failures.push(`row ${index}: ${JSON.stringify(rule)} on ${JSON.stringify(input)} gave ${matched}`);
      });
      expect(failures).toEqual([]);
    });
  }
});
