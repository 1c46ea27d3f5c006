import type { AnalysisCheckConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';
import type { PrometheusSample } from '../shared/ports/app-metrics.js';
import type { MetricsWindow } from '../shared/ports/metrics-source.js';
import { prometheusValue } from '../shared/prometheus/sample-value.js';
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
 * The selected series' value in one scrape, through the one Prometheus reading the repository has
 * (shared/prometheus/sample-value.ts): counters and gauges added up, a histogram's or summary's mean,
 * or, when the selector names `quantile="0.99"`, that quantile; a histogram's or summary's count is
 * the sample count. Histograms and summaries are cumulative since the process started: the canary
 * started for this run, so its figures cover the canary's life.
 */
export function prometheusReading(
  samples: readonly PrometheusSample[],
  selector: PrometheusSelector,
): Reading {
  const { quantile, ...labels } = selector.labels;
  const matchers = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const metric = matchers.length ? `${selector.name}{${matchers.join(',')}}` : selector.name;
  const reading = prometheusValue(
    samples,
    metric,
    quantile === undefined ? {} : { quantile: Number(quantile) },
  );
  if (!reading) return {};
  return reading.count === undefined
    ? { value: reading.value }
    : { value: reading.value, samples: reading.count };
}
