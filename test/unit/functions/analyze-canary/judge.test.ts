import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CheckInput, judgeCheck, judgeStep } from '../../../../functions/analyze-canary/judge.js';

const errorRate = (canary: number, baseline: number, bounds: Partial<CheckInput> = {}): CheckInput => ({
  metric: 'error-rate',
  canary: { value: canary, samples: 100 },
  baseline: { value: baseline, samples: 900 },
  minSamples: 20,
  ...bounds,
});

describe('judgeCheck', () => {
  it('returns fail with value, baseline, threshold and a reason when the canary exceeds max', () => {
    // Arrange
    const input = errorRate(0.31, 0, { max: 0.05 });
    // Act
    const result = judgeCheck(input);
    // Assert
    expect(result).toEqual({
      metric: 'error-rate',
      verdict: 'fail',
      value: 0.31,
      baseline: 0,
      threshold: 0.05,
      thresholdKind: 'max',
      samples: 100,
      baselineSamples: 900,
      reason: '0.31 > max 0.05',
    });
  });

  it('returns pass when the canary equals max (the bound is inclusive)', () => {
    expect(judgeCheck(errorRate(0.05, 0, { max: 0.05 })).verdict).toBe('pass');
  });

  it('returns fail against min when the canary is below it', () => {
    // Arrange
    const input: CheckInput = {
      metric: 'orders_created_total',
      canary: { value: 3 },
      baseline: { value: 40 },
      min: 10,
    };
    // Act
    const result = judgeCheck(input);
    // Assert
    expect(result).toMatchObject({
      verdict: 'fail',
      thresholdKind: 'min',
      threshold: 10,
      reason: '3 < min 10',
    });
  });

  it('returns fail when the canary is worse than the baseline by more than maxIncrease, even under max', () => {
    // Arrange
    const input = errorRate(0.04, 0.001, { max: 0.05, maxIncrease: 0.01 });
    // Act
    const result = judgeCheck(input);
    // Assert
    expect(result.verdict).toBe('fail');
    expect(result.thresholdKind).toBe('maxIncrease');
    expect(result.threshold).toBeCloseTo(0.011, 10);
    expect(result.reason).toBe('0.04 > baseline 0.001 + maxIncrease 0.01');
  });

  it('returns pass when the canary is as bad as a bad baseline (maxIncrease compares, max is absent)', () => {
    expect(judgeCheck(errorRate(0.2, 0.19, { maxIncrease: 0.02 })).verdict).toBe('pass');
  });

  it('reports the tighter of max and baseline + maxIncrease as the threshold of a passing check', () => {
    // Arrange / Act
    const result = judgeCheck({
      metric: 'latency-p95',
      canary: { value: 120, samples: 50 },
      baseline: { value: 100, samples: 500 },
      max: 500,
      maxIncrease: 50,
    });
    // Assert
    expect(result).toMatchObject({ verdict: 'pass', thresholdKind: 'maxIncrease', threshold: 150 });
  });

  it('returns inconclusive with the sample count when the canary served fewer than minSamples, even above max', () => {
    // Arrange
    const input = errorRate(1, 0, { max: 0.05, canary: { value: 1, samples: 12 } });
    // Act
    const result = judgeCheck(input);
    // Assert
    expect(result).toMatchObject({
      verdict: 'inconclusive',
      threshold: null,
      reason: 'canary: 12 of 20 samples',
    });
  });

  it('returns inconclusive when the canary has no value in the window', () => {
    const result = judgeCheck(errorRate(0, 0, { max: 0.05, canary: { samples: 0 }, minSamples: 0 }));
    expect(result).toMatchObject({
      verdict: 'inconclusive',
      value: null,
      reason: 'canary: no value in the window',
    });
  });

  it('returns inconclusive for maxIncrease when the baseline has too few samples or no value', () => {
    // Arrange
    const few = errorRate(0.5, 0, { maxIncrease: 0.01, baseline: { value: 0, samples: 3 } });
    const none = errorRate(0.5, 0, { maxIncrease: 0.01, baseline: { samples: 0 }, minSamples: 0 });
    // Act / Assert
    expect(judgeCheck(few)).toMatchObject({ verdict: 'inconclusive', reason: 'baseline: 3 of 20 samples' });
    expect(judgeCheck(none)).toMatchObject({
      verdict: 'inconclusive',
      reason: 'baseline: no value in the window',
    });
  });

  it('still fails an absolute max when the baseline cannot be compared', () => {
    const result = judgeCheck(errorRate(0.5, 0, { max: 0.05, maxIncrease: 0.01, baseline: { samples: 0 } }));
    expect(result).toMatchObject({ verdict: 'fail', thresholdKind: 'max' });
  });

  it('judges a gauge without a sample count on its value alone', () => {
    const result = judgeCheck({
      metric: 'pool_in_use',
      canary: { value: 9 },
      baseline: { value: 2 },
      max: 8,
      minSamples: 20,
    });
    expect(result).toMatchObject({ verdict: 'fail', samples: null });
  });

  it('treats NaN and infinite readings as no value', () => {
    const result = judgeCheck({
      metric: 'db',
      canary: { value: Number.NaN, samples: 30 },
      baseline: { value: 1 },
      max: 1,
    });
    expect(result.verdict).toBe('inconclusive');
  });

  it('throws for a check without any threshold', () => {
    expect(() => judgeCheck({ metric: 'x', canary: { value: 1 }, baseline: { value: 1 } })).toThrow(
      /no max, min or maxIncrease/,
    );
  });

  it('never passes a canary above max, whatever the samples and baseline (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        (max, over, baseline, samples) => {
          const value = max + over + 1e-9 * (max + 1);
          const result = judgeCheck({
            metric: 'm',
            canary: { value, samples },
            baseline: { value: baseline },
            max,
            minSamples: 20,
          });
          expect(result.verdict).toBe(samples < 20 ? 'inconclusive' : 'fail');
        },
      ),
    );
  });
});

describe('judgeStep', () => {
  it('returns fail with the first failing check as decisive, even when another is inconclusive', () => {
    // Arrange
    const checks = [
      errorRate(0, 0, { max: 0.05, canary: { value: 0, samples: 5 } }),
      { ...errorRate(0.9, 0, { max: 0.05 }), metric: 'latency-p95' },
    ];
    // Act
    const step = judgeStep(checks);
    // Assert
    expect(step.verdict).toBe('fail');
    expect(step.decisive?.metric).toBe('latency-p95');
    expect(step.checks.map((c) => c.verdict)).toEqual(['inconclusive', 'fail']);
  });

  it('returns inconclusive when no check fails and one lacks samples', () => {
    const step = judgeStep([
      errorRate(0, 0, { max: 0.05 }),
      errorRate(0, 0, { max: 0.05, canary: { value: 0, samples: 1 } }),
    ]);
    expect(step).toMatchObject({ verdict: 'inconclusive', decisive: { reason: 'canary: 1 of 20 samples' } });
  });

  it('returns pass with no decisive check when every check passes', () => {
    expect(judgeStep([errorRate(0.01, 0.01, { max: 0.05, maxIncrease: 0.01 })])).toMatchObject({
      verdict: 'pass',
      decisive: null,
    });
  });

  it('throws for a step with no checks', () => {
    expect(() => judgeStep([])).toThrow(/at least one check/);
  });
});
