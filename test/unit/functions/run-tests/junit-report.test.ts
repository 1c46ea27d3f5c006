import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_FAILURES, MAX_MESSAGE, summariseJunit } from '../../../../functions/run-tests/junit-report.js';

const report = (content: string, path = 'reports/junit.xml') => ({ path, content, truncated: false });

describe('summariseJunit', () => {
  it("reads node --test's own JUnit output: counts, nested suites and the failing test's message", async () => {
    // Arrange: a real run of node's test runner with its junit reporter.
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-junit-'));
    writeFileSync(
      join(dir, 'a.test.mjs'),
      `import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
test('top level passes', () => {});
describe('orders', () => {
  describe('totals', () => { test('sums lines', () => assert.equal(1 + 1, 3, 'sum is wrong')); });
  test('lists', () => {});
  test.skip('later', () => {});
});`,
    );
    try {
      execFileSync(
        process.execPath,
        ['--test', '--test-reporter=junit', '--test-reporter-destination=out.xml', 'a.test.mjs'],
        {
          cwd: dir,
          stdio: 'ignore',
        },
      );
    } catch {
      // exit code 1: one test fails, as intended
    }

    // Act
    const summary = await summariseJunit([report(readFileSync(join(dir, 'out.xml'), 'utf8'))]);

    // Assert
    expect(summary).toMatchObject({ tests: 4, failures: 1, skipped: 1, problems: [] });
    expect(summary.suites.map((s) => [s.name, s.tests, s.failures])).toEqual([
      ['reports/junit.xml', 1, 0],
      ['orders', 3, 1],
    ]);
    expect(summary.failed).toEqual([
      { suite: 'orders > totals', name: 'sums lines', message: expect.stringContaining('sum is wrong') },
    ]);
  });

  it("gives a multi-line assertion message its line break back (node's reporter squashes it in the attribute)", async () => {
    // Arrange: a real run of node's test runner; its attribute reads "answered 404404 !== 200".
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-junit-'));
    writeFileSync(
      join(dir, 'b.test.mjs'),
      `import assert from 'node:assert/strict';
import { test } from 'node:test';
test('discounts', () => assert.equal(404, 200, 'GET /discounts answered 404'));
test('discounts again', async () => {
  const response = await Promise.resolve({ status: 404 });
  assert.equal(response.status, 200, 'GET /discounts answered ' + response.status);
});`,
    );
    try {
      execFileSync(
        process.execPath,
        ['--test', '--test-reporter=junit', '--test-reporter-destination=out.xml', 'b.test.mjs'],
        { cwd: dir, stdio: 'ignore' },
      );
    } catch {
      // exit code 1: the test fails, as intended
    }

    // Act
    const summary = await summariseJunit([report(readFileSync(join(dir, 'out.xml'), 'utf8'))]);

    // Assert
    // The async test's text opens with "[Error [ERR_TEST_FAILURE]: …", the other's without the "[".
    expect(summary.failed.map((f) => f.message)).toEqual([
      'GET /discounts answered 404 — 404 !== 200',
      'GET /discounts answered 404 — 404 !== 200',
    ]);
  });

  it('keeps a message attribute that is not the text squashed, and a one-line message as it is', async () => {
    // Arrange
    const xml = `<testsuites><testsuite name="s">
<testcase name="a"><failure message="expected 2 got 3">AssertionError: something else entirely</failure></testcase>
<testcase name="b"><failure message="boom">Error: boom
    at x (a.js:1:1)</failure></testcase>
<testcase name="c"><failure>TypeError: x is not a function
    at y (b.js:2:2)</failure></testcase>
</testsuite></testsuites>`;

    // Act
    const summary = await summariseJunit([report(xml)]);

    // Assert
    expect(summary.failed.map((f) => f.message)).toEqual([
      'expected 2 got 3',
      'boom',
      'TypeError: x is not a function',
    ]);
  });

  it('reads a file whose root is one <testsuite>, counting <error> as a failure', async () => {
    // Act
    const summary = await summariseJunit([
      report(
        '<testsuite name="api" time="1.5"><testcase name="a" time="1"><error message="boom" type="E"/></testcase><testcase name="b" time="0.5"/></testsuite>',
      ),
    ]);

    // Assert
    expect(summary).toMatchObject({ tests: 2, failures: 1, durationMs: 1500 });
    expect(summary.failed).toEqual([{ suite: 'api', name: 'a', message: 'boom' }]);
  });

  it('bounds the failures it keeps and each message, and says when a file is not JUnit or was cut', async () => {
    // Arrange
    const many = Array.from(
      { length: MAX_FAILURES + 5 },
      (_, i) => `<testcase name="t${i}"><failure message="${'x'.repeat(MAX_MESSAGE + 50)}"/></testcase>`,
    ).join('');

    // Act
    const summary = await summariseJunit([
      { ...report(`<testsuites><testsuite name="s">${many}</testsuite></testsuites>`), truncated: true },
      report('<testsuites><unclosed>', 'reports/broken.xml'),
    ]);

    // Assert
    expect(summary.failures).toBe(MAX_FAILURES + 5);
    expect(summary.failed).toHaveLength(MAX_FAILURES);
    expect(summary.failed[0]!.message).toHaveLength(MAX_MESSAGE + 1);
    expect(summary.problems).toEqual([
      'reports/junit.xml: longer than the runner reads; only its beginning was parsed',
      expect.stringMatching(/^reports\/broken.xml: not JUnit XML \(/),
    ]);
  });
});
