import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { loadBalancerDimension, targetGroupDimension } from '../../config/ecs-canary-schema.js';
import type { TollgateConfig } from '../../config/schema.js';
import { ConfigError, InvalidInputError } from '../../errors.js';
import type { MetricsSource, MetricsWindow } from '../../ports/metrics-source.js';
import type { TrafficRouter } from '../../ports/traffic-router.js';

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
 *    - p50/p95/p99LatencyMs: TargetResponseTime percentiles (seconds -> ms).
 *    With a `release` (a canary step's analysis) the target group is the one that release serves
 *    from: the canary's or the baseline's of `deploy.canary`, as the traffic router reports who
 *    runs where; both sit behind the rule's load balancer.
 * 2. Otherwise Tollgate custom metrics that the app publishes (for example with the CloudWatch
 *    Embedded Metric Format): namespace `Tollgate`, dimensions Pipeline + Environment, metrics
 *    `Requests` (Sum), `Errors` (Sum) and `LatencyMs` (p50, p95, p99).
 *
 * One period spans the whole window (rounded up to whole minutes, the metrics' resolution), so the
 * sums need no per-period arithmetic; when CloudWatch splits the window across two aligned periods
 * the sums add up and the larger percentile is kept (conservative for a canary).
 */
export class CloudWatchMetricsSource implements MetricsSource {
  private readonly client: CloudWatchClient;
  private readonly config: TollgateConfig;
  private readonly targets: Readonly<Record<string, AlbTarget>>;
  private readonly traffic?: Pick<TrafficRouter, 'split'>;

  constructor(options: {
    readonly client: CloudWatchClient;
    readonly config: TollgateConfig;
    readonly targets?: Readonly<Record<string, AlbTarget>>;
    /** Which release runs in which target group: needed for per-release reads only. */
    readonly traffic?: Pick<TrafficRouter, 'split'>;
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
    if (options.traffic) this.traffic = options.traffic;
  }

  async read(environment: string, since: Date, until: Date, release?: string): Promise<MetricsWindow> {
    if (!this.config.environments.some((e) => e.name === environment)) {
      const known = this.config.environments.map((e) => e.name).join(', ');
      throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
    }
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || until <= since) {
      throw new InvalidInputError('metrics window needs valid dates with since before until');
    }
    const period = Math.max(60, Math.ceil((until.getTime() - since.getTime()) / 60_000) * 60);
    const target =
      release === undefined ? this.targets[environment] : await this.releaseTarget(environment, release);
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
    const values: Record<string, number[]> = { requests: [], errors: [], p50: [], p95: [], p99: [] };
    let NextToken: string | undefined;
    do {
      const out = await this.client.send(
        new GetMetricDataCommand({
          StartTime: since,
          EndTime: until,
          MetricDataQueries: [
            query('requests', source.requests, 'Sum'),
            query('errors', source.errors, 'Sum'),
            query('p50', source.latency, 'p50'),
            query('p95', source.latency, 'p95'),
            query('p99', source.latency, 'p99'),
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
    const ms = (xs: number[]) => (xs.length ? Math.max(...xs) * source.latencyToMs : undefined);
    const latency = {
      p50LatencyMs: ms(values.p50),
      p95LatencyMs: ms(values.p95),
      p99LatencyMs: ms(values.p99),
    };
    return {
      requests: sum(values.requests),
      errors: sum(values.errors),
      ...Object.fromEntries(Object.entries(latency).filter(([, v]) => v !== undefined)),
    };
  }

  /** The target group `release` serves from in a canary environment. */
  private async releaseTarget(environment: string, release: string): Promise<AlbTarget> {
    const deploy = this.config.environments.find((e) => e.name === environment)!.deploy;
    if (deploy.type !== 'ecs' || !deploy.canary) {
      throw new InvalidInputError(
        `environment "${environment}" has no deploy.canary, so its requests cannot be told apart by release`,
      );
    }
    if (!this.traffic) throw new ConfigError('per-release CloudWatch reads need the traffic router');
    const split = await this.traffic.split(this.config.name, environment);
    const group =
      split?.canary === release
        ? deploy.canary.targetGroupArn
        : split?.baseline === release
          ? deploy.canary.baselineTargetGroupArn
          : undefined;
    if (!group) {
      throw new InvalidInputError(
        `release ${release} is neither the canary (${split?.canary ?? 'none'}) nor the baseline (${split?.baseline ?? 'none'}) of "${environment}"`,
      );
    }
    return {
      loadBalancer: loadBalancerDimension(deploy.canary.listenerRuleArn),
      targetGroup: targetGroupDimension(group),
    };
  }
}
