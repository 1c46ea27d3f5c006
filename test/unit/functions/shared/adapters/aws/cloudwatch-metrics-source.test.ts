import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricsSource } from '../../../../../../functions/shared/adapters/aws/cloudwatch-metrics-source.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { validConfig } from '../../../../../support/config-fixtures.js';

const config = parseConfig(
  validConfig({
    environments: [
      {
        name: 'staging',
        url: 'https://staging.example.com',
        deploy: { type: 'ecs', cluster: 'c', service: 'orders-staging', containerName: 'app' },
      },
      {
        name: 'prod',
        url: 'https://orders.example.com',
        deploy: { type: 'ecs', cluster: 'c', service: 'orders', containerName: 'app' },
      },
    ],
  }),
);
const targets = {
  prod: {
    loadBalancer: 'app/orders/50dc6c495c0c9188',
    targetGroup: 'targetgroup/orders-prod/73e2d6bc24d8a067',
  },
};
const since = new Date('2026-03-01T10:00:00Z');
const until = new Date('2026-03-01T10:05:00Z');

describe('CloudWatchMetricsSource', () => {
  const cloudwatch = mockClient(CloudWatchClient);
  afterEach(() => {
    cloudwatch.reset();
  });
  const source = () =>
    new CloudWatchMetricsSource({ client: new CloudWatchClient({ region: 'us-east-1' }), config, targets });

  it('returns summed requests and target 5xx and the p95 in ms from one window-wide period', async () => {
    // Arrange
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'requests', Values: [1200, 34] },
        { Id: 'errors', Values: [3, 1] },
        { Id: 'p95', Values: [0.182, 0.25] },
      ],
    });
    // Act
    const window = await source().read('prod', since, until);
    // Assert
    expect(window).toEqual({ requests: 1234, errors: 4, p95LatencyMs: 250 });
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input;
    expect(input.StartTime).toEqual(since);
    expect(input.EndTime).toEqual(until);
    expect(
      input.MetricDataQueries?.map((q) => [
        q.Id,
        q.MetricStat?.Metric?.MetricName,
        q.MetricStat?.Stat,
        q.MetricStat?.Period,
      ]),
    ).toEqual([
      ['requests', 'RequestCount', 'Sum', 300],
      ['errors', 'HTTPCode_Target_5XX_Count', 'Sum', 300],
      ['p50', 'TargetResponseTime', 'p50', 300],
      ['p95', 'TargetResponseTime', 'p95', 300],
      ['p99', 'TargetResponseTime', 'p99', 300],
    ]);
    expect(input.MetricDataQueries?.[0].MetricStat?.Metric).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      Dimensions: [
        { Name: 'LoadBalancer', Value: 'app/orders/50dc6c495c0c9188' },
        { Name: 'TargetGroup', Value: 'targetgroup/orders-prod/73e2d6bc24d8a067' },
      ],
    });
  });

  it('follows NextToken until every page is read', async () => {
    // Arrange
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'requests', Values: [10] }], NextToken: 'page-2' })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'requests', Values: [5] },
          { Id: 'errors', Values: [1] },
        ],
      });
    // Act
    const window = await source().read('prod', since, until);
    // Assert
    expect(window).toEqual({ requests: 15, errors: 1 });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[1].args[0].input.NextToken).toBe('page-2');
  });

  it('returns zero requests and no p95 when the target group served nothing', async () => {
    // Arrange
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'requests', Values: [] }] });
    // Act
    const window = await source().read('prod', since, new Date('2026-03-01T10:00:30Z'));
    // Assert
    expect(window).toEqual({ requests: 0, errors: 0 });
    expect(
      cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries?.[0].MetricStat
        ?.Period,
    ).toBe(60);
  });

  it('reads the Tollgate custom metrics by pipeline and environment when the environment has no target group', async () => {
    // Arrange
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'requests', Values: [40] },
        { Id: 'errors', Values: [2] },
        { Id: 'p95', Values: [87] },
      ],
    });
    // Act
    const window = await source().read('staging', since, until);
    // Assert
    expect(window).toEqual({ requests: 40, errors: 2, p95LatencyMs: 87 });
    const queries = cloudwatch.commandCalls(GetMetricDataCommand)[0].args[0].input.MetricDataQueries ?? [];
    expect(queries.map((q) => q.MetricStat?.Metric?.MetricName)).toEqual([
      'Requests',
      'Errors',
      'LatencyMs',
      'LatencyMs',
      'LatencyMs',
    ]);
    expect(queries[0].MetricStat?.Metric).toMatchObject({
      Namespace: 'Tollgate',
      Dimensions: [
        { Name: 'Pipeline', Value: 'orders-service' },
        { Name: 'Environment', Value: 'staging' },
      ],
    });
  });

  it('throws InvalidInput and calls nothing when the environment is not configured', async () => {
    // Arrange
    // Act
    const attempt = source().read('qa', since, until);
    // Assert
    await expect(attempt).rejects.toThrow('environment "qa" is not in the config (known: staging, prod)');
    expect(cloudwatch.calls()).toHaveLength(0);
  });

  it('throws when a target names an environment that is not configured', () => {
    // Arrange
    // Act
    const build = () =>
      new CloudWatchMetricsSource({
        client: new CloudWatchClient({ region: 'us-east-1' }),
        config,
        targets: { qa: targets.prod },
      });
    // Assert
    expect(build).toThrow('metrics target for "qa": no such environment in the config');
  });

  it('throws InvalidInput and calls nothing when the window is empty or reversed', async () => {
    // Arrange
    // Act
    const attempt = source().read('prod', until, since);
    // Assert
    await expect(attempt).rejects.toThrow('metrics window needs valid dates with since before until');
    expect(cloudwatch.calls()).toHaveLength(0);
  });

  it.each([
    [
      {
        loadBalancer: 'arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/orders/50dc',
        targetGroup: 'targetgroup/t/73e2',
      },
      /loadBalancer .* must look like app\/<name>\/<id>/,
    ],
    [
      { loadBalancer: 'app/orders/50dc', targetGroup: 'orders-prod' },
      /targetGroup "orders-prod" must look like targetgroup\/<name>\/<id>/,
    ],
  ])('throws when a target is not in dimension form (%o)', (target, message) => {
    // Arrange
    // Act
    const build = () =>
      new CloudWatchMetricsSource({
        client: new CloudWatchClient({ region: 'us-east-1' }),
        config,
        targets: { prod: target },
      });
    // Assert
    expect(build).toThrow(message);
  });
});
