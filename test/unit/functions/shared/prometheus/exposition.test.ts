import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../../../../functions/shared/prometheus/exposition.js';

const TEXT = `# HELP db_query_duration_seconds Query latency.
# TYPE db_query_duration_seconds histogram
db_query_duration_seconds_bucket{query="list_orders",le="0.01"} 3
db_query_duration_seconds_bucket{query="list_orders",le="0.1"} 5
db_query_duration_seconds_bucket{query="list_orders",le="+Inf"} 6
db_query_duration_seconds_sum{query="list_orders"} 0.42
db_query_duration_seconds_count{query="list_orders"} 6
db_query_duration_seconds_bucket{query="get_order",le="0.01"} 1
db_query_duration_seconds_bucket{query="get_order",le="0.1"} 1
db_query_duration_seconds_bucket{query="get_order",le="+Inf"} 2
db_query_duration_seconds_sum{query="get_order"} 1.5
db_query_duration_seconds_count{query="get_order"} 2
# TYPE http_requests_total counter
http_requests_total{code="200",path="C:\\\\DIR \\"x\\""} 1027 1395066363000
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.5",svc="a"} 0.2
rpc_seconds{quantile="0.99",svc="a"} 0.9
rpc_seconds_sum{svc="a"} 10
rpc_seconds_count{svc="a"} 40
# TYPE temperature gauge
temperature NaN
`;

describe('parseExposition', () => {
  it('keeps each labelled histogram series apart with its buckets, count and sum', () => {
    // Arrange
    // Act
    const samples = parseExposition(TEXT);
    // Assert
    expect(samples.filter((s) => s.type === 'histogram')).toEqual([
      {
        type: 'histogram',
        name: 'db_query_duration_seconds',
        labels: { query: 'list_orders' },
        buckets: [
          { le: 0.01, count: 3 },
          { le: 0.1, count: 5 },
          { le: Number.POSITIVE_INFINITY, count: 6 },
        ],
        count: 6,
        sum: 0.42,
      },
      {
        type: 'histogram',
        name: 'db_query_duration_seconds',
        labels: { query: 'get_order' },
        buckets: [
          { le: 0.01, count: 1 },
          { le: 0.1, count: 1 },
          { le: Number.POSITIVE_INFINITY, count: 2 },
        ],
        count: 2,
        sum: 1.5,
      },
    ]);
  });

  it('reads counters with escaped label values, summaries and NaN gauges', () => {
    // Arrange
    // Act
    const samples = parseExposition(TEXT);
    // Assert
    expect(samples).toContainEqual({
      type: 'counter',
      name: 'http_requests_total',
      labels: { code: '200', path: 'C:\\DIR "x"' },
      value: 1027,
    });
    expect(samples).toContainEqual({
      type: 'summary',
      name: 'rpc_seconds',
      labels: { svc: 'a' },
      quantiles: [
        { quantile: 0.5, value: 0.2 },
        { quantile: 0.99, value: 0.9 },
      ],
      count: 40,
      sum: 10,
    });
    const temperature = samples.find((s) => s.name === 'temperature');
    expect(temperature?.type).toBe('gauge');
    expect(Number.isNaN((temperature as { value: number }).value)).toBe(true);
  });

  it('keeps the last family when the text does not end with a newline', () => {
    // Arrange
    // Act
    const samples = parseExposition('a 1\nup 1');
    // Assert
    expect(samples.map((s) => s.name)).toEqual(['a', 'up']);
  });

  it.each([
    ['<html><body>login</body></html>', 'is not a metric name'],
    ['up{job="x" 1\n', 'not the Prometheus text format: Encountered invalid line'],
    ['up one\n', '"up" has the value "one"'],
  ])('throws a one-line error for %j', (text, message) => {
    // Arrange
    // Act
    const attempt = () => parseExposition(text);
    // Assert
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(expect.objectContaining({ name: 'Tollgate.InvalidInput' }));
  });
});
