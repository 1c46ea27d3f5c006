import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { TollgateConfig } from '../../config/schema.js';
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
 * The AWS MetricsSource. Two sources, per environment:
 *
 * 1. ALB target group metrics, when `targets` names the environment's load balancer and target
 *    group (namespace AWS/ApplicationELB, dimensions LoadBalancer + TargetGroup):
 *    - requests: RequestCount (Sum)
 *    - errors: HTTPCode_Target_5XX_Count (Sum). ALB publishes HTTPCode_ELB_5XX_Count per load
 *      balancer only, not per target group, so ALB-generated 5xx cannot be attributed to one
 *      environment and are left out.
 *    - p95LatencyMs: TargetResponseTime p95 (seconds -> ms).
 * 2. Otherwise Tollgate custom metrics that the app publishes (for example with the CloudWatch
 *    Embedded Metric Format): namespace `Tollgate`, dimensions Pipeline + Environment, metrics
 *    `Requests` (Sum), `Errors` (Sum) and `LatencyMs` (p95).
 *
 * One period spans the whole window (rounded up to whole minutes, the metrics' resolution), so the
 * sums need no per-period arithmetic; when CloudWatch splits the window across two aligned periods
 * the sums add up and the larger p95 is kept (conservative for a canary).
 */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly client: CloudWatchClient;
  private readonly config: TollgateConfig;
  private readonly targets: Readonly<Record<string, AlbTarget>>;

  constructor(options: {
    readonly client: CloudWatchClient;
    readonly config: TollgateConfig;
    readonly targets?: Readonly<Record<string, AlbTarget>>;
  }) {
    const targets = options.targets ?? {};
    for (const [env, target] of Object.entries(targets)) {
      if (!options.config.environments.some((e) => e.name === env)) {
        throw new InvalidInputError(`metrics target for "${env}": no such environment in the config`);
      }
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
    this.config = options.config;
    this.targets = targets;
  }

  async read(environment: string, since: Date, until: Date): Promise<MetricsWindow> {
    if (!this.config.environments.some((e) => e.name === environment)) {
      const known = this.config.environments.map((e) => e.name).join(', ');
      throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
    }
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until <= since) {
      throw new InvalidInputError('metrics window needs valid dates with since before until');
    }
    const period = Math.max(60, Math.ceil((until.getTime() - since.getTime()) / 60_000) * 60);
    const target = this.targets[environment];
    const source = target
      ? {
          namespace: 'AWS/ApplicationELB',
          dimensions: [
            { Name: 'LoadBalancer', Value: target.loadBalancer },
            { Name: 'TargetGroup', Value: target.targetGroup },
          ],
          requests: 'RequestCount',
          errors: 'HTTPCode_Target_5XX_Count',
          latency: 'TargetResponseTime',
          latencyToMs: 1_000,
        }
      : {
          namespace: 'Tollgate',
          dimensions: [
            { Name: 'Pipeline', Value: this.config.name },
            { Name: 'Environment', Value: environment },
          ],
          requests: 'Requests',
          errors: 'Errors',
          latency: 'LatencyMs',
          latencyToMs: 1,
        };
    const query = (Id: string, MetricName: string, Stat: string): MetricDataQuery => ({
      Id,
      MetricStat: {
        Metric: { Namespace: source.namespace, MetricName, Dimensions: source.dimensions },
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
            query('requests', source.requests, 'Sum'),
            query('errors', source.errors, 'Sum'),
            query('p95', source.latency, 'p95'),
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
    return values.p95.length
      ? { ...window, p95LatencyMs: Math.max(...values.p95) * source.latencyToMs }
      : window;
  }
}
