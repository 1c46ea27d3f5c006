import type { AnalysisCheckConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';
import type { PrometheusSample } from '../shared/ports/app-metrics.js';
import type { MetricsWindow } from '../shared/ports/metrics-source.js';
import type { Reading } from './judge.js';

/**
 * Turns what a source reports into the one number per release the judge compares. Pure: the
 * analyze task reads the ports, these only pick and combine.
 */

type RequestMetric = Extract<AnalysisCheckConfig, { source: 'requests' }>['metric'];

/** A request metric over one release's window; the sample count is its request count. */
export function requestReading(window: MetricsWindow, metric: RequestMetric): Reading {
  const samples = window.requests;
  switch (metric) {
    case 'error-rate':
      return samples > 0 ? { value: window.errors / samples, samples } : { samples };
    case 'latency-p50':
      return { value: window.p50LatencyMs, samples };
    case 'latency-p95':
      return { value: window.p95LatencyMs, samples };
    case 'latency-p99':
      return { value: window.p99LatencyMs, samples };
  }
}

export interface PrometheusSelector {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
}

const SELECTOR = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"([^"]*)"\s*(?:,|$)/y;

/** `name{label="v",...}` as the config writes it (the schema has checked its shape). */
export function parseSelector(text: string): PrometheusSelector {
  const match = SELECTOR.exec(text.trim());
  if (!match) throw new InvalidInputError(`"${text}" is not a Prometheus metric selector`);
  const labels: Record<string, string> = {};
  const body = match[2] ?? '';
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < body.length) {
    const label = LABEL.exec(body);
    if (!label) throw new InvalidInputError(`"${text}" has a label that is not name="value"`);
    labels[label[1]!] = label[2]!;
  }
  return { name: match[1]!, labels };
}

/**
 * The selected series' value in one scrape. A counter or gauge gives its value (summed over the
 * series the selector matches: a counter split by label adds up); a histogram or summary gives its
 * mean (sum / count), or a summary's quantile when the selector names `quantile`, with its count as
 * the sample count. Histograms and summaries are cumulative since the process started: the canary
 * started for this run, so its figures cover the canary's life.
 */
export function prometheusReading(
  samples: readonly PrometheusSample[],
  selector: PrometheusSelector,
): Reading {
  const { quantile, ...labels } = selector.labels;
  const matching = samples.filter(
    (s) => s.name === selector.name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matching.length === 0) return {};
  const kinds = new Set(matching.map((s) => s.type));
  if (kinds.size > 1)
    throw new InvalidInputError(`${selector.name} has series of several types (${[...kinds].join(', ')})`);
  const first = matching[0]!;
  if (first.type === 'counter' || first.type === 'gauge' || first.type === 'untyped') {
    if (quantile !== undefined)
      throw new InvalidInputError(`${selector.name} is a ${first.type}; it has no quantile`);
    return { value: matching.reduce((sum, s) => sum + (s as { value: number }).value, 0) };
  }
  const count = matching.reduce((sum, s) => sum + (s as { count: number }).count, 0);
  if (quantile !== undefined) {
    if (first.type !== 'summary' || matching.length > 1) {
      throw new InvalidInputError(
        `${selector.name}{quantile="${quantile}"} needs exactly one summary series; add labels to pick one`,
      );
    }
    const q = first.quantiles.find((x) => x.quantile === Number(quantile));
    if (!q) throw new InvalidInputError(`${selector.name} has no quantile ${quantile}`);
    return { value: q.value, samples: count };
  }
  const sum = matching.reduce((total, s) => total + (s as { sum: number }).sum, 0);
  return count > 0 ? { value: sum / count, samples: count } : { samples: 0 };
}
