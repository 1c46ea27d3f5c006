import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCanary } from '../../../../functions/analyze-canary/analyze-canary.js';
import { createHandler } from '../../../../functions/analyze-canary/handler.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import {
  ProxyMetricsSource,
  RequestLog,
} from '../../../../functions/shared/adapters/local/proxy-metrics-source.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { AppMetrics, PrometheusSample } from '../../../../functions/shared/ports/app-metrics.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref } from '../deploy/scripted-deployer.js';

const arn = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:run-1';
const SHIFT = '2026-03-01T10:00:00.000Z';

function configWith(analysis: unknown[]) {
  const raw = validConfig();
  raw.environments[1] = {
    ...raw.environments[1]!,
    strategy: { type: 'canary', steps: [10, 50], interval: '1m', analysis: analysis as never },
  };
  return parseConfig(raw);
}

/** Metrics a release exposes, as the local app-metrics adapter returns them after parsing. */
class ExposedMetrics implements AppMetrics {
  readonly scrapes: string[] = [];
  constructor(private readonly byRelease: Record<string, PrometheusSample[]>) {}
  async scrape(environment: string, release: string, path: string): Promise<PrometheusSample[]> {
    this.scrapes.push(`${environment} ${release} ${path}`);
    return this.byRelease[release] ?? [];
  }
}

function harness(analysis: unknown[], exposed: Record<string, PrometheusSample[]> = {}) {
  const log = new RequestLog();
  const clock = new ManualClock(SHIFT);
  const ledger = new DirLedger(mkdtempSync(join(tmpdir(), 'tollgate-canary-ledger-')));
  const appMetrics = new ExposedMetrics(exposed);
  const ports = {
    config: configWith(analysis),
    metrics: new ProxyMetricsSource(() => log),
    appMetrics,
    ledger,
    clock,
  };
  /** `n` requests served by `release` starting at `offsetMs` after the shift, `errors` of them 500s. */
  const serve = (release: string, n: number, errors: number, latencyMs = 10, offsetMs = 1000) => {
    for (let i = 0; i < n; i++) {
      log.record({
        at: Date.parse(SHIFT) + offsetMs + i,
        status: i < errors ? 500 : 200,
        latencyMs,
        release,
      });
    }
  };
  return { ports, log, clock, ledger, appMetrics, serve };
}

const input = (look = 1, step = 0) => ({
  executionArn: arn,
  stateName: 'AnalyzeCanary',
  pipeline: 'orders-service',
  environment: 'prod',
  release: ref('r2-bbbbbbb'),
  baseline: 'r1-aaaaaaa',
  step,
  since: SHIFT,
  look,
});

describe('analyzeCanary', () => {
  it('fails a step whose canary error rate exceeds max, with metric, value, baseline, threshold and step, and records it', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05 }]);
    h.serve('r2-bbbbbbb', 40, 12);
    h.serve('r1-aaaaaaa', 360, 0);
    h.clock.advance(60_000);
    // Act
    const result = await analyzeCanary(input(), h.ports);
    // Assert
    expect(result).toMatchObject({
      verdict: 'fail',
      step: 0,
      percent: 10,
      canary: 'r2-bbbbbbb',
      baseline: 'r1-aaaaaaa',
      since: SHIFT,
      until: '2026-03-01T10:01:00.000Z',
      decisive: {
        metric: 'error-rate',
        value: 0.3,
        baseline: 0,
        threshold: 0.05,
        samples: 40,
        baselineSamples: 360,
      },
      summary: 'error-rate: 0.3 > max 0.05 (baseline 0) at step 1 (10%)',
    });
    const recorded = await h.ledger.query({ kinds: ['canary-step'] });
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      environment: 'prod',
      releaseVersion: 'r2-bbbbbbb',
      data: { verdict: 'fail' },
    });
  });

  it('passes when the canary is as good as the baseline, counting only requests inside the window', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05, maxIncrease: 0.01 }]);
    h.serve('r2-bbbbbbb', 50, 0);
    h.serve('r2-bbbbbbb', 50, 50, 10, -5_000); // before the shift: not this step's traffic
    h.serve('r1-aaaaaaa', 450, 2);
    h.clock.advance(60_000);
    // Act
    const result = await analyzeCanary(input(), h.ports);
    // Assert
    expect(result.verdict).toBe('pass');
    expect(result.checks[0]).toMatchObject({ value: 0, samples: 50, thresholdKind: 'maxIncrease' });
  });

  it('fails on latency when the canary is slower than the baseline by more than maxIncrease', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'latency-p95', maxIncrease: 50 }]);
    h.serve('r2-bbbbbbb', 30, 0, 400);
    h.serve('r1-aaaaaaa', 300, 0, 20);
    h.clock.advance(60_000);
    // Act
    const result = await analyzeCanary(input(), h.ports);
    // Assert
    expect(result.decisive).toMatchObject({ verdict: 'fail', value: 400, baseline: 20, threshold: 70 });
  });

  it('returns inconclusive below minSamples, and fail once the step has looked its last time', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05, minSamples: 20 }]);
    h.serve('r2-bbbbbbb', 5, 0);
    h.serve('r1-aaaaaaa', 100, 0);
    h.clock.advance(60_000);
    // Act
    const first = await analyzeCanary(input(1), h.ports);
    const last = await analyzeCanary(input(4), h.ports);
    // Assert
    expect(first).toMatchObject({
      verdict: 'inconclusive',
      summary: 'error-rate: canary: 5 of 20 samples at step 1 (10%)',
    });
    expect(last.verdict).toBe('fail');
    expect(last.summary).toContain('still inconclusive after 4 looks');
    expect(await h.ledger.query({ kinds: ['canary-step'] })).toHaveLength(2);
  });

  it('judges a Prometheus histogram by its mean for the canary and the baseline, from each release', async () => {
    // Arrange
    const histogram = (sum: number, count: number): PrometheusSample => ({
      type: 'histogram',
      name: 'db_query_duration_seconds',
      labels: { query: 'orders' },
      buckets: [{ le: Number.POSITIVE_INFINITY, count }],
      count,
      sum,
    });
    const h = harness(
      [{ source: 'prometheus', metric: 'db_query_duration_seconds{query="orders"}', maxIncrease: 0.05 }],
      { 'r2-bbbbbbb': [histogram(12, 40)], 'r1-aaaaaaa': [histogram(2, 200)] },
    );
    h.clock.advance(60_000);
    // Act
    const result = await analyzeCanary(input(), h.ports);
    // Assert
    expect(h.appMetrics.scrapes.sort()).toEqual(['prod r1-aaaaaaa /metrics', 'prod r2-bbbbbbb /metrics']);
    expect(result.decisive).toMatchObject({ verdict: 'fail', value: 0.3, baseline: 0.01, samples: 40 });
  });

  it('records a re-invoked analysis of the same look once', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05 }]);
    h.serve('r2-bbbbbbb', 30, 0);
    h.clock.advance(60_000);
    // Act
    await analyzeCanary(input(), h.ports);
    await analyzeCanary(input(), h.ports);
    // Assert
    expect(await h.ledger.query({ kinds: ['canary-step'] })).toHaveLength(1);
  });

  it('rejects a step past the strategy and a window that starts in the future, recording nothing', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05 }]);
    // Act / Assert
    await expect(analyzeCanary(input(1, 2), h.ports)).rejects.toThrow('step 2 is past the last of 2 steps');
    await expect(analyzeCanary({ ...input(), since: '2026-03-01T11:00:00.000Z' }, h.ports)).rejects.toThrow(
      /starts .* after now/,
    );
    expect(await h.ledger.query()).toEqual([]);
  });

  it('rejects input without a baseline through the handler before reading anything', async () => {
    // Arrange
    const h = harness([{ source: 'requests', metric: 'error-rate', max: 0.05 }]);
    const handler = createHandler(async () => h.ports as unknown as TollgatePorts);
    const { baseline: _omitted, ...withoutBaseline } = input();
    // Act / Assert
    await expect(handler(withoutBaseline)).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    expect(await h.ledger.query()).toEqual([]);
  });
});
