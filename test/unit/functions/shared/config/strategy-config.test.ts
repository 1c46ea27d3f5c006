import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configCheck } from '../../../../../cli/commands/doctor.js';
import { parseConfig } from '../../../../../functions/shared/config/index.js';
import type { TollgateConfigInput } from '../../../../../functions/shared/config/schema.js';
import { ConfigError } from '../../../../../functions/shared/errors.js';
import { startLocalRuntime } from '../../../../../runtime/local-runtime.js';
import { validConfig } from '../../../../support/config-fixtures.js';

const ERROR_RATE = { source: 'requests', metric: 'error-rate', max: 0.05 } as const;

function withProdStrategy(strategy: unknown): TollgateConfigInput {
  const raw = validConfig();
  raw.environments[1] = { ...raw.environments[1]!, strategy: strategy as never };
  return raw;
}

function problem(strategy: unknown): string {
  try {
    parseConfig(withProdStrategy(strategy));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    return (error as Error).message;
  }
  throw new Error('expected the config to be rejected');
}

describe('environments[].strategy', () => {
  it('returns a canary with its interval in seconds and each check with its default minSamples', () => {
    // Arrange
    const raw = withProdStrategy({
      type: 'canary',
      steps: [10, 50],
      interval: '2m',
      sticky: true,
      analysis: [
        ERROR_RATE,
        { source: 'prometheus', metric: 'db_query_seconds{quantile="0.99"}', maxIncrease: 0.05 },
      ],
    });
    // Act
    const strategy = parseConfig(raw).environments[1]!.strategy;
    // Assert
    expect(strategy).toEqual({
      type: 'canary',
      steps: [10, 50],
      interval: 120,
      sticky: true,
      analysis: [
        { ...ERROR_RATE, minSamples: 20 },
        {
          source: 'prometheus',
          metric: 'db_query_seconds{quantile="0.99"}',
          path: '/metrics',
          maxIncrease: 0.05,
          minSamples: 20,
        },
      ],
    });
  });

  it.each([
    [20, [20, 40, 60, 80]],
    [30, [30, 60, 90]],
    [50, [50]],
  ])('returns a linear strategy with increment %i as steps %j', (increment, steps) => {
    const strategy = parseConfig(withProdStrategy({ type: 'linear', increment, analysis: [ERROR_RATE] }))
      .environments[1]!.strategy;
    expect(strategy).toMatchObject({ type: 'linear', steps, interval: 60, sticky: false });
  });

  it('accepts an AWS-only cloudwatch check and an alarm check in the schema (the stack reads them)', () => {
    const strategy = parseConfig(
      withProdStrategy({
        type: 'canary',
        steps: [10],
        analysis: [
          {
            source: 'cloudwatch',
            expression: 'errors / requests',
            metrics: [
              {
                id: 'errors',
                namespace: 'AWS/ApplicationELB',
                name: 'HTTPCode_Target_5XX_Count',
                stat: 'Sum',
              },
            ],
            max: 0.01,
          },
          { source: 'alarm', alarm: 'orders-5xx' },
        ],
      }),
    ).environments[1]!.strategy;
    expect(strategy.type === 'canary' && strategy.analysis.map((c) => c.source)).toEqual([
      'cloudwatch',
      'alarm',
    ]);
  });

  it.each([
    [
      'the old maxErrorRate key, naming its replacement',
      { type: 'canary', steps: [10], maxErrorRate: 0.01, analysis: [ERROR_RATE] },
      'environments[1].strategy.maxErrorRate: maxErrorRate was replaced by analysis: [{ source: "requests", metric: "error-rate", max: 0.01 }]',
    ],
    [
      'steps that are not ascending',
      { type: 'canary', steps: [50, 10], analysis: [ERROR_RATE] },
      'environments[1].strategy.steps: steps must be ascending traffic percentages below 100',
    ],
    [
      'a step of 100%',
      { type: 'canary', steps: [10, 100], analysis: [ERROR_RATE] },
      'environments[1].strategy.steps[1]:',
    ],
    [
      'no analysis',
      { type: 'canary', steps: [10], analysis: [] },
      'environments[1].strategy.analysis: add at least one check',
    ],
    [
      'a check without max, min or maxIncrease',
      { type: 'canary', steps: [10], analysis: [{ source: 'requests', metric: 'latency-p95' }] },
      'environments[1].strategy.analysis[0]: set "max", "min" or "maxIncrease"',
    ],
    [
      'a cloudwatch check without max or min',
      {
        type: 'canary',
        steps: [10],
        analysis: [
          {
            source: 'cloudwatch',
            expression: 'm1',
            metrics: [{ id: 'm1', namespace: 'n', name: 'x', stat: 'Sum' }],
          },
        ],
      },
      'environments[1].strategy.analysis[0]: set "max" or "min"',
    ],
    [
      'an unknown requests metric',
      { type: 'canary', steps: [10], analysis: [{ source: 'requests', metric: 'latency-p90', max: 1 }] },
      'environments[1].strategy.analysis[0].metric:',
    ],
    [
      'a Prometheus metric name that is not one',
      { type: 'canary', steps: [10], analysis: [{ source: 'prometheus', metric: 'db query', max: 1 }] },
      'environments[1].strategy.analysis[0].metric: must be a Prometheus metric name',
    ],
    [
      'a linear strategy with both steps and increment',
      { type: 'linear', steps: [10], increment: 10, analysis: [ERROR_RATE] },
      'environments[1].strategy: set exactly one of "steps" or "increment"',
    ],
    [
      'a linear strategy with neither steps nor increment',
      { type: 'linear', analysis: [ERROR_RATE] },
      'environments[1].strategy: set exactly one of "steps" or "increment"',
    ],
    [
      'an interval without a unit',
      { type: 'canary', steps: [10], interval: '30', analysis: [ERROR_RATE] },
      'environments[1].strategy.interval: strategy.interval must be a positive duration',
    ],
    [
      'a negative minSamples',
      { type: 'canary', steps: [10], analysis: [{ ...ERROR_RATE, minSamples: -1 }] },
      'environments[1].strategy.analysis[0].minSamples:',
    ],
  ])('rejects %s in one line', (_what, strategy, message) => {
    expect(problem(strategy)).toContain(message);
  });
});

describe('a local run with an AWS-only analysis source', () => {
  const awsOnly = () =>
    withProdStrategy({
      type: 'canary',
      steps: [10],
      analysis: [ERROR_RATE, { source: 'alarm', alarm: 'orders-5xx' }],
    });

  it('fails tollgate doctor in one line naming the check, and passes it with --aws', async () => {
    // Arrange
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-strategy-'));
    writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(awsOnly())};\n`);
    // Act
    const local = await configCheck(dir, { local: true });
    const aws = await configCheck(dir, { local: false });
    // Assert
    expect(local.status).toBe('fail');
    expect(local.detail).not.toContain('\n');
    expect(local.detail).toContain(
      'environments[1].strategy.analysis[1]: source "alarm" is AWS-only; a local run reads "requests" or "prometheus"',
    );
    expect(aws.status).toBe('ok');
  });

  it('stops tollgate up before it creates the data directory', async () => {
    // Arrange
    const dataDir = join(mkdtempSync(join(tmpdir(), 'tollgate-strategy-up-')), 'data');
    // Act
    const started = startLocalRuntime({
      projectDir: tmpdir(),
      dataDir,
      port: 0,
      config: parseConfig(awsOnly()),
      print: () => {},
    });
    // Assert
    await expect(started).rejects.toThrow(/source "alarm" is AWS-only/);
    expect(existsSync(dataDir)).toBe(false);
  });
});
