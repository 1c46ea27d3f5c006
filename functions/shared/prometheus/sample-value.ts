import { InvalidInputError } from '../errors.js';
import type { PrometheusSample } from '../ports/app-metrics.js';

/** One number read from a scrape, and how many observations stand behind it. */
export interface PrometheusReading {
  readonly value: number;
  /** Observations behind the value (a histogram's or summary's count); absent for counters and gauges. */
  readonly count?: number;
  /** How many series matched the selector (their values are added up or merged). */
  readonly series: number;
}

export interface ReadingOptions {
  /** For a histogram or summary: this quantile (0..1) instead of the mean. */
  readonly quantile?: number;
}

const SELECTOR = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/;
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"\s*$/;

/**
 * Turns scraped samples into the one number a canary check compares, for `metric` written as
 * Prometheus does: a name with an optional `{label="value",...}` selector; a series matches when it
 * carries every selector label with that value. Series that match are aggregated:
 * - counter, gauge, untyped: their values added up;
 * - histogram: the mean (sum of `_sum` / sum of `_count`), or with `quantile` the quantile of the
 *   merged buckets, interpolated linearly inside a bucket as PromQL's histogram_quantile does;
 * - summary: the mean, or with `quantile` the quantile the app exported (one series only: summary
 *   quantiles cannot be merged);
 * - `<histogram or summary>_count` / `_sum`: those totals.
 * Returns undefined when no series matches (the app does not expose it, or not yet).
 */
export function prometheusValue(
  samples: readonly PrometheusSample[],
  metric: string,
  options: ReadingOptions = {},
): PrometheusReading | undefined {
  const { name, matchers } = parseSelector(metric);
  const { quantile } = options;
  if (quantile !== undefined && !(quantile >= 0 && quantile <= 1)) {
    throw new InvalidInputError(`quantile must be between 0 and 1, got ${quantile}`);
  }
  const matches = (s: PrometheusSample) => matchers.every(([k, v]) => s.labels[k] === v);
  const direct = samples.filter((s) => s.name === name && matches(s));
  if (direct.length > 0) return aggregate(direct, metric, quantile);
  for (const suffix of ['_count', '_sum'] as const) {
    if (!name.endsWith(suffix)) continue;
    const base = name.slice(0, -suffix.length);
    const parts = samples.filter((s) => s.name === base && s.type !== 'counter' && matches(s)) as Compound[];
    if (parts.length === 0) continue;
    const total = parts.reduce((acc, s) => acc + (suffix === '_count' ? s.count : s.sum), 0);
    return { value: total, series: parts.length };
  }
  return undefined;
}

type Compound = Extract<PrometheusSample, { type: 'histogram' | 'summary' }>;

function aggregate(
  series: readonly PrometheusSample[],
  metric: string,
  quantile: number | undefined,
): PrometheusReading {
  const first = series[0]!;
  if (series.some((s) => s.type !== first.type)) {
    throw new InvalidInputError(`"${metric}" matches series of different types; narrow the selector`);
  }
  if (first.type !== 'histogram' && first.type !== 'summary') {
    const value = series.reduce((acc, s) => acc + (s as { value: number }).value, 0);
    return { value, series: series.length };
  }
  const compound = series as readonly Compound[];
  const count = compound.reduce((acc, s) => acc + s.count, 0);
  if (quantile === undefined) {
    const sum = compound.reduce((acc, s) => acc + s.sum, 0);
    return { value: count === 0 ? Number.NaN : sum / count, count, series: series.length };
  }
  if (first.type === 'summary') {
    if (compound.length > 1) {
      throw new InvalidInputError(
        `"${metric}" matches ${compound.length} summaries; quantiles cannot be merged, narrow the selector`,
      );
    }
    const exported = first.quantiles.find((q) => q.quantile === quantile);
    if (!exported) {
      const known = first.quantiles.map((q) => q.quantile).join(', ');
      throw new InvalidInputError(`"${metric}" exports quantiles ${known || 'none'}, not ${quantile}`);
    }
    return { value: exported.value, count, series: 1 };
  }
  return {
    value: histogramQuantile(compound as ReadonlyArray<Extract<Compound, { type: 'histogram' }>>, quantile),
    count,
    series: series.length,
  };
}

/** PromQL's histogram_quantile over the buckets of several series added up by bound. */
function histogramQuantile(
  series: ReadonlyArray<Extract<PrometheusSample, { type: 'histogram' }>>,
  q: number,
): number {
  const byBound = new Map<number, number>();
  for (const s of series) for (const b of s.buckets) byBound.set(b.le, (byBound.get(b.le) ?? 0) + b.count);
  const buckets = [...byBound.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      // Beyond the highest finite bound there is no upper edge: answer that bound, as PromQL does.
      if (le === Number.POSITIVE_INFINITY) return lowerBound;
      if (count === lowerCount) return le;
      return lowerBound + ((le - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = le;
    lowerCount = count;
  }
  return lowerBound;
}

function parseSelector(metric: string): { name: string; matchers: Array<[string, string]> } {
  const match = SELECTOR.exec(metric.trim());
  if (!match) {
    throw new InvalidInputError(`"${metric}" is not a metric name with an optional {label="value"} selector`);
  }
  const body = match[2]?.trim();
  const matchers: Array<[string, string]> = [];
  if (body) {
    for (const part of body.split(',')) {
      const m = MATCHER.exec(part);
      if (!m) throw new InvalidInputError(`"${metric}": "${part.trim()}" is not label="value"`);
      matchers.push([m[1]!, m[2]!]);
    }
  }
  return { name: match[1]!, matchers };
}
