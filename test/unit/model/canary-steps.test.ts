import { describe, expect, it } from 'vitest';
import type { StoredLedgerEntry } from '../../../functions/shared/ports/ledger.js';
import { canaryLines, canaryView } from '../../../model/canary-steps.js';

let seq = 0;
const entry = (kind: StoredLedgerEntry['kind'], data: Record<string, unknown>): StoredLedgerEntry => ({
  kind,
  pipeline: 'orders-service',
  at: `2026-03-01T10:0${seq}:00.000Z`,
  environment: 'prod',
  releaseVersion: 'r2',
  data,
  idempotencyKey: `k${seq}`,
  seq: seq++,
});

const errorRate = (value: number, verdict: string, reason: string) => ({
  metric: 'error-rate',
  value,
  baseline: 0,
  threshold: 0.05,
  thresholdKind: 'max',
  verdict,
  reason,
});

describe('canaryView', () => {
  it('returns each step with its share, metrics and decision, and the abort that ended it', () => {
    // Arrange
    const entries = [
      entry('canary-traffic', { action: 'shift', step: 0, percent: 10 }),
      entry('canary-step', {
        step: 0,
        percent: 10,
        look: 1,
        canary: 'r2',
        baseline: 'r1',
        verdict: 'inconclusive',
        checks: [errorRate(0, 'inconclusive', 'canary: 4 of 20 samples')],
      }),
      entry('canary-step', {
        step: 0,
        percent: 10,
        look: 2,
        canary: 'r2',
        baseline: 'r1',
        verdict: 'fail',
        checks: [errorRate(0.3, 'fail', '0.3 > max 0.05')],
      }),
      entry('canary-traffic', {
        action: 'abort',
        step: 0,
        percent: 0,
        split: { baseline: 'r1', canaryPercent: 0 },
        reason: 'Tollgate.CanaryAborted: error-rate',
      }),
    ];
    // Act
    const view = canaryView(entries);
    // Assert
    expect(view.steps.map((s) => [s.step, s.percent, s.look, s.decision])).toEqual([
      [1, 10, 1, 'wait again'],
      [1, 10, 2, 'abort'],
    ]);
    expect(view.steps[1]!.metrics[0]).toMatchObject({ canary: 0.3, baseline: 0, threshold: 0.05 });
    expect(canaryLines(view)).toEqual([
      'prod: canary step 1 (10% traffic): inconclusive → wait again',
      '  error-rate: canary 0 vs baseline 0 ≤ 0.05 (max)  inconclusive: canary: 4 of 20 samples',
      'prod: canary step 1 (10% traffic) look 2: fail → abort',
      '  error-rate: canary 0.3 vs baseline 0 ≤ 0.05 (max)  fail: 0.3 > max 0.05',
      'prod: canary aborted, traffic back on r1 (Tollgate.CanaryAborted: error-rate)',
    ]);
  });

  it('marks the last passing step of a completed canary as complete and the earlier ones as next step', () => {
    // Arrange
    const pass = (step: number, percent: number) =>
      entry('canary-step', {
        step,
        percent,
        look: 1,
        verdict: 'pass',
        checks: [errorRate(0, 'pass', 'within bounds')],
      });
    const entries = [
      pass(0, 10),
      pass(1, 50),
      entry('canary-traffic', { action: 'complete', split: { baseline: 'r2', canaryPercent: 0 } }),
    ];
    // Act
    const view = canaryView(entries);
    // Assert
    expect(view.steps.map((s) => s.decision)).toEqual(['next step', 'complete']);
    expect(canaryLines(view).at(-1)).toBe('prod: canary completed, r2 takes all traffic');
  });

  it('returns nothing for a run without a canary', () => {
    expect(canaryView([entry('promotion', {})])).toEqual({ steps: [], outcomes: [] });
  });
});
