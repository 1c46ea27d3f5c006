import * as z from 'zod';
import { parseDuration } from './duration.js';

/**
 * `environments[].strategy`: how a release takes an environment's traffic. `canary` and `linear`
 * shift traffic in steps, each followed by a Wait of `interval` and an analysis of `analysis[]`;
 * the first failing check aborts the rollout (traffic back to the baseline, canary stopped).
 */

const interval = z
  .string()
  .refine((v) => parseDuration(v) !== undefined, {
    message: 'strategy.interval must be a positive duration like "30s", "2m" or "1h"',
  })
  .transform((v) => parseDuration(v)!);

/** Requests a canary must have served in its window before its metrics are judged. */
const DEFAULT_MIN_SAMPLES = 20;

const bounds = {
  /** The check fails when the canary's value is above this. */
  max: z.number().optional(),
  /** The check fails when the canary's value is below this. */
  min: z.number().optional(),
  /** The check fails when the canary's value exceeds the baseline's by more than this (same unit). */
  maxIncrease: z.number().min(0).optional(),
};

const minSamples = z.number().int().min(1).default(DEFAULT_MIN_SAMPLES);

/** Metric name with an optional `{label="value",...}` selector, as Prometheus writes them. */
const PROMETHEUS_METRIC =
  /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{\s*[a-zA-Z_][a-zA-Z0-9_]*\s*=\s*"[^"]*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*=\s*"[^"]*")*\s*\})?$/;

const requestsCheck = z.strictObject({
  source: z.literal('requests'),
  metric: z.enum(['error-rate', 'latency-p50', 'latency-p95', 'latency-p99']),
  ...bounds,
  minSamples,
});

const prometheusCheck = z.strictObject({
  source: z.literal('prometheus'),
  metric: z
    .string()
    .regex(PROMETHEUS_METRIC, 'must be a Prometheus metric name, optionally with {label="value"}'),
  path: z
    .string()
    .regex(/^\/[^\s]*$/, 'must start with "/" and contain no spaces')
    .default('/metrics'),
  ...bounds,
  minSamples,
});

const cloudwatchMetric = z.strictObject({
  id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, 'must start with a lowercase letter (GetMetricData id)'),
  namespace: z.string().min(1),
  name: z.string().min(1),
  dimensions: z.record(z.string().min(1), z.string().min(1)).default({}),
  stat: z.string().min(1),
});

const cloudwatchCheck = z.strictObject({
  source: z.literal('cloudwatch'),
  /** Metric math over `metrics[].id`, e.g. `errors / requests`. */
  expression: z.string().min(1),
  metrics: z.array(cloudwatchMetric).min(1),
  max: bounds.max,
  min: bounds.min,
});

const alarmCheck = z.strictObject({ source: z.literal('alarm'), alarm: z.string().min(1) });

const analysisCheck = z
  .discriminatedUnion('source', [requestsCheck, prometheusCheck, cloudwatchCheck, alarmCheck])
  .superRefine((check, ctx) => {
    if (check.source === 'alarm') return;
    const has = (k: 'max' | 'min' | 'maxIncrease') =>
      k in check && check[k as keyof typeof check] !== undefined;
    if (!has('max') && !has('min') && !has('maxIncrease')) {
      ctx.addIssue({
        code: 'custom',
        message:
          check.source === 'cloudwatch'
            ? 'set "max" or "min": a check without a threshold never fails'
            : 'set "max", "min" or "maxIncrease": a check without a threshold never fails',
      });
    }
  });

/** The sources only the AWS stack can read; a local run refuses them (see localConfigProblems). */
export const AWS_ONLY_SOURCES = ['cloudwatch', 'alarm'] as const;

const REPLACED_MAX_ERROR_RATE =
  'maxErrorRate was replaced by analysis: [{ source: "requests", metric: "error-rate", max: 0.01 }]';

const stepped = {
  interval: interval.default(60),
  /** Locally: the proxy pins a client to the release that first served it (cookie `tollgate-release`). */
  sticky: z.boolean().default(false),
  analysis: z
    .array(analysisCheck)
    .min(1, 'add at least one check, e.g. { source: "requests", metric: "error-rate", max: 0.01 }'),
  // Refused with its replacement rather than as an unknown key: configs from before analysis[] name it.
  maxErrorRate: z.never({ error: REPLACED_MAX_ERROR_RATE }).optional(),
};

const steps = z
  .array(z.number().int().min(1).max(99))
  .min(1)
  .refine((s) => s.every((p, i) => i === 0 || p > s[i - 1]!), {
    message: 'steps must be ascending traffic percentages below 100, e.g. [10, 50]',
  });

const canary = z.strictObject({ type: z.literal('canary'), steps, ...stepped });

const linear = z
  .strictObject({
    type: z.literal('linear'),
    steps: steps.optional(),
    /** Equal steps: 20 gives 20, 40, 60, 80. */
    increment: z.number().int().min(1).max(50).optional(),
    ...stepped,
  })
  .refine((s) => (s.steps === undefined) !== (s.increment === undefined), {
    message: 'set exactly one of "steps" or "increment"',
  })
  .transform(({ increment, steps: given, ...rest }) => ({
    ...rest,
    steps: given ?? Array.from({ length: Math.ceil(100 / increment!) - 1 }, (_, i) => (i + 1) * increment!),
  }));

export const strategySchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('all-at-once') }),
  canary,
  linear,
]);

export type StrategyConfig = z.output<typeof strategySchema>;
export type SteppedStrategy = Exclude<StrategyConfig, { type: 'all-at-once' }>;
export type AnalysisCheckConfig = z.output<typeof analysisCheck>;
