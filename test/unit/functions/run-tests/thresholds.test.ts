import { describe, expect, it } from 'vitest';
import { judgeThresholds } from '../../../../functions/run-tests/thresholds.js';

const file = (content: string) => ({
  'reports/perf.json': { path: 'reports/perf.json', content, truncated: false },
});
const P95 = { metric: 'p95', max: 200, unit: 'ms', file: 'reports/perf.json' };

describe('judgeThresholds', () => {
  it('passes a value within max and fails one above it, with the measured value and the bound', () => {
    // Act
    const [ok] = judgeThresholds([P95], file('{"p95": 120}'));
    const [slow] = judgeThresholds([P95], file('{"p95": 350}'));

    // Assert
    expect(ok).toMatchObject({ value: 120, passed: true, detail: 'p95 120 ms within max 200 ms' });
    expect(slow).toMatchObject({ value: 350, passed: false, detail: 'p95 350 ms > max 200 ms' });
  });

  it('reads a dotted path and judges min', () => {
    // Act
    const [result] = judgeThresholds(
      [{ metric: 'throughput.rps', min: 100, file: 'reports/perf.json' }],
      file('{"throughput": {"rps": 80}}'),
    );

    // Assert
    expect(result).toMatchObject({ value: 80, passed: false, detail: 'throughput.rps 80 < min 100' });
  });

  it.each([
    [{}, 'reports/perf.json was not written'],
    [file('not json'), 'reports/perf.json is not JSON'],
    [file('{"p50": 10}'), 'reports/perf.json has no "p95"'],
    [file('{"p95": "fast"}'), '"p95" is "fast", not a number'],
    [file('[1]'), 'has no "p95"'],
  ])('fails a threshold that measured nothing (%#): %s', (summaries, detail) => {
    // Act
    const [result] = judgeThresholds([P95], summaries);

    // Assert
    expect(result).toMatchObject({ value: null, passed: false });
    expect(result!.detail).toContain(detail);
  });
});
