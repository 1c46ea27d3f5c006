import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { InvalidInputError } from '../../errors.js';
import type { MetricsSource, MetricsWindow } from '../../ports/metrics-source.js';

/** ALB dimension values, e.g. `app/orders/50dc6c495c0c9188` and `targetgroup/orders-prod/73e2d6bc24d8a067`. */
export interface AlbTarget {
  readonly loadBalancer: string;
  readonly targetGroup: string;
}

const LOAD_BALANCER = /^app\/[\w-]+\/[0-9a-f]+$/;
const TARGET_GROUP = /^targetgroup\/[\w-]+\/[0-9a-f]+$/;

/**
 * The AWS MetricsSource: Application Load Balancer target group metrics (namespace
 * AWS/ApplicationELB, dimensions LoadBalancer + TargetGroup), one target group per environment.
 * - requests: RequestCount (Sum)
 * - errors: HTTPCode_Target_5XX_Count (Sum). ALB publishes its own HTTPCode_ELB_5XX_Count per load
 *   balancer only, not per target group, so ALB-generated 5xx cannot be attributed to one
 *   environment and are left out.
 * - p95LatencyMs: TargetResponseTime p95 (seconds -> ms).
 * One period spans the whole window (rounded up to whole minutes, ALB's resolution), so the sums
 * need no per-period arithmetic; when CloudWatch splits the window across two aligned periods the
 * sums add up and the larger p95 is kept (conservative for a canary).
 */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly client: CloudWatchClient;
  private readonly targets: Readonly<Record<string, AlbTarget>>;

  constructor(options: {
    readonly client: CloudWatchClient;
    readonly targets: Readonly<Record<string, AlbTarget>>;
  }) {
    for (const [env, target] of Object.entries(options.targets)) {
      if (!LOAD_BALANCER.test(target.loadBalancer)) {
        throw new InvalidInputError(
          `metrics target for "${env}": loadBalancer "${target.loadBalancer}" must look like app/<name>/<id> (the ARN suffix)`,
        );
      }
      if (!TARGET_GROUP.test(target.targetGroup)) {
        throw new InvalidInputError(
          `metrics target for "${env}": targetGroup "${target.targetGroup}" must look like targetgroup/<name>/<id> (the ARN suffix)`,
        );
      }
    }
    this.client = options.client;
    this.targets = options.targets;
  }

  async read(environment: string, since: Date, until: Date): Promise<MetricsWindow> {
    const target = this.targets[environment];
    if (!target) {
      throw new InvalidInputError(
        `no load balancer target group is configured for environment "${environment}"`,
      );
    }
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until <= since) {
      throw new InvalidInputError('metrics window needs valid dates with since before until');
    }
    const period = Math.max(60, Math.ceil((until.getTime() - since.getTime()) / 60_000) * 60);
    const dimensions = [
      { Name: 'LoadBalancer', Value: target.loadBalancer },
      { Name: 'TargetGroup', Value: target.targetGroup },
    ];
    const query = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({
      Id,
      MetricStat: {
        Metric: { Namespace: 'AWS/ApplicationELB', MetricName, Dimensions: dimensions },
        Period: period,
        Stat,
      },
      ReturnData: true,
    });
    const values: Record<string, number[]> = { requests: [], errors: [], p95: [] };
    let NextToken: string | undefined;
    do {
      const out = await this.client.send(
        new GetMetricDataCommand({
          StartTime: since,
          EndTime: until,
          MetricDataQueries: [
            query('requests', 'RequestCount', 'Sum'),
            query('errors', 'HTTPCode_Target_5XX_Count', 'Sum'),
            query('p95', 'TargetResponseTime', 'p95'),
          ],
          NextToken,
        }),
      );
      for (const result of out.MetricDataResults ?? []) {
        if (result.Id && values[result.Id]) values[result.Id].push(...(result.Values ?? []));
      }
      NextToken = out.NextToken;
    } while (NextToken);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const window: MetricsWindow = { requests: sum(values.requests), errors: sum(values.errors) };
    return values.p95.length ? { ...window, p95LatencyMs: Math.max(...values.p95) * 1_000 } : window;
  }
}
