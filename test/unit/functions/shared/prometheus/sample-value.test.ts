import { describe, expect, it } from 'vitest';
import type { PrometheusSample } from '../../../../../functions/shared/ports/app-metrics.js';
import { prometheusValue } from '../../../../../functions/shared/prometheus/sample-value.js';

const histogram = (query: string, buckets: Array<[number, number]>, sum: number): PrometheusSample => ({
  type: 'histogram',
  name: 'db_query_duration_seconds',
  labels: { query },
  buckets: buckets.map(([le, count]) => ({ le, count })),
  count: buckets.at(-1)![1],
  sum,
});

const SAMPLES: PrometheusSample[] = [
  { type: 'counter', name: 'http_requests_total', labels: { code: '200' }, value: 90 },
  { type: 'counter', name: 'http_requests_total', labels: { code: '500' }, value: 10 },
  histogram(
    'list_orders',
    [
      [0.1, 50],
      [0.2, 100],
      [Number.POSITIVE_INFINITY, 100],
    ],
    12,
  ),
  histogram(
    'get_order',
    [
      [0.1, 0],
      [0.2, 0],
      [Number.POSITIVE_INFINITY, 100],
    ],
    40,
  ),
  {
    type: 'summary',
    name: 'rpc_seconds',
    labels: {},
    quantiles: [{ quantile: 0.99, value: 0.9 }],
    count: 4,
    sum: 2,
  },
];

describe('prometheusValue', () => {
  it.each([
    ['http_requests_total', { value: 100, series: 2 }],
    ['http_requests_total{code="500"}', { value: 10, series: 1 }],
    ['db_query_duration_seconds{query="list_orders"}', { value: 0.12, count: 100, series: 1 }],
    ['db_query_duration_seconds', { value: 0.26, count: 200, series: 2 }],
    ['db_query_duration_seconds_count{query="get_order"}', { value: 100, series: 1 }],
    ['rpc_seconds', { value: 0.5, count: 4, series: 1 }],
  ] as Array<[string, { value: number; count?: number; series: number }]>)(
    'reads %s as %j (counters added up, histograms and summaries as their mean)',
    (metric, expected) => {
      // Arrange
      // Act
      const reading = prometheusValue(SAMPLES, metric);
      // Assert
      expect(reading?.series).toBe(expected.series);
      expect(reading?.count).toBe(expected.count);
      expect(reading?.value).toBeCloseTo(expected.value, 10);
    },
  );

  it('interpolates a histogram quantile inside its bucket as histogram_quantile does', () => {
    // Arrange
    // Act
    const p75 = prometheusValue(SAMPLES, 'db_query_duration_seconds{query="list_orders"}', {
      quantile: 0.75,
    });
    const p99Slow = prometheusValue(SAMPLES, 'db_query_duration_seconds{query="get_order"}', {
      quantile: 0.99,
    });
    // Assert
    expect(p75?.value).toBeCloseTo(0.15, 10);
    expect(p99Slow?.value).toBe(0.2); // in the +Inf bucket: the highest finite bound
  });

  it('returns a summary quantile the app exported', () => {
    // Arrange
    // Act
    const reading = prometheusValue(SAMPLES, 'rpc_seconds', { quantile: 0.99 });
    // Assert
    expect(reading).toEqual({ value: 0.9, count: 4, series: 1 });
  });

  it('returns undefined when no series matches', () => {
    // Arrange
    // Act
    const reading = prometheusValue(SAMPLES, 'http_requests_total{code="404"}');
    // Assert
    expect(reading).toBeUndefined();
  });

  it.each([
    ['http requests', 'is not a metric name with an optional {label="value"} selector'],
    ['up{code=200}', '"code=200" is not label="value"'],
  ])('throws a one-line error for the selector %s', (metric, message) => {
    // Arrange
    // Act
    const attempt = () => prometheusValue(SAMPLES, metric);
    // Assert
    expect(attempt).toThrow(message);
  });

  it('throws when a summary quantile was not exported', () => {
    // Arrange
    // Act
    const attempt = () => prometheusValue(SAMPLES, 'rpc_seconds', { quantile: 0.5 });
    // Assert
    expect(attempt).toThrow('"rpc_seconds" exports quantiles 0.99, not 0.5');
  });
});
