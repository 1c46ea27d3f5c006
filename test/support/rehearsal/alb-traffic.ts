import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  loadBalancerDimension,
  targetGroupDimension,
} from '../../../functions/shared/config/ecs-canary-schema.js';
import type { CanaryRoute } from './alb-canary-world.js';
import type { IdAliases } from './id-aliases.js';
import { adminClientConfig } from './provision.js';

/** Requests the ALB forwards after each weight change: 10 % of them still gives the canary 20 samples. */
const REQUESTS_PER_MOVE = 200;

/** One ModifyRule of a canary environment's rule, with the weights moto holds after it. */
interface WeightMove {
  readonly environment: string;
  readonly canaryPercent: number;
  /** Requests each release's target group answered, and how many with a 5xx. */
  readonly served: { readonly baseline: Answered; readonly canary: Answered };
}

interface Answered {
  readonly requests: number;
  readonly errors: number;
}

interface AlbTrafficOptions {
  readonly motoEndpoint: string;
  readonly routes: readonly CanaryRoute[];
  readonly aliases: IdAliases;
  /** The loopback port an ECS service's app listens on, undefined while it runs no task. */
  readonly portOf: (service: string) => number | undefined;
  /** The engine's clock (the functions read the metrics window by it). */
  readonly now: () => number;
}

/**
 * The ALB and its users, for the canary environments: after each ModifyRule of a canary rule,
 * `REQUESTS_PER_MOVE` users' `GET /orders` go to the two target groups by the weights moto now holds
 * (weighted round robin, exactly the share), each to the app of the ECS service registered in that
 * group; then the per-target-group metrics ALB publishes (AWS/ApplicationELB RequestCount and
 * HTTPCode_Target_5XX_Count, dimensions LoadBalancer + TargetGroup) go to moto's CloudWatch,
 * stamped now, inside the step's window that the Wait then lets pass.
 *
 * Does not model: traffic between weight changes, latency metrics, stickiness, ELB-generated 5xx.
 */
export class AlbTraffic {
  readonly moves: WeightMove[] = [];
  private readonly elb: ElasticLoadBalancingV2Client;
  private readonly cloudwatch: CloudWatchClient;

  constructor(private readonly options: AlbTrafficOptions) {
    this.elb = new ElasticLoadBalancingV2Client(adminClientConfig(options.motoEndpoint));
    this.cloudwatch = new CloudWatchClient(adminClientConfig(options.motoEndpoint));
  }

  /** The rule's forward weights in moto now, on the baseline's and the canary's target group. */
  async weightsOf(environment: string): Promise<{ baseline: number; canary: number }> {
    return this.weights(this.route(environment));
  }

  /** Called with every forwarded ModifyRule's rule ARN (the config's, as the function sent it). */
  async ruleModified(ruleArn: string): Promise<void> {
    const route = this.options.routes.find((r) => r.listenerRuleArn === ruleArn);
    if (!route) return;
    const weights = await this.weights(route);
    const total = weights.baseline + weights.canary;
    const canaryShare = total === 0 ? 0 : Math.round((weights.canary * REQUESTS_PER_MOVE) / total);
    const served = {
      baseline: await this.send(route.service, REQUESTS_PER_MOVE - canaryShare),
      canary: await this.send(route.canaryService, canaryShare),
    };
    await this.publish(route, route.baselineTargetGroupArn, served.baseline);
    await this.publish(route, route.targetGroupArn, served.canary);
    this.moves.push({
      environment: route.environment,
      canaryPercent: total === 0 ? 0 : Math.round((weights.canary * 100) / total),
      served,
    });
  }

  private route(environment: string): CanaryRoute {
    const route = this.options.routes.find((r) => r.environment === environment);
    if (!route) throw new Error(`ALB traffic: "${environment}" is not a canary environment`);
    return route;
  }

  private async weights(route: CanaryRoute): Promise<{ baseline: number; canary: number }> {
    const { Rules } = await this.elb.send(
      new DescribeRulesCommand({ RuleArns: [this.options.aliases.motoOf(route.listenerRuleArn)] }),
    );
    const groups = Rules?.[0]?.Actions?.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups ?? [];
    const weight = (arn: string) =>
      groups
        .filter((g) => g.TargetGroupArn === this.options.aliases.motoOf(arn))
        .reduce((sum, g) => sum + (g.Weight ?? 1), 0);
    return { baseline: weight(route.baselineTargetGroupArn), canary: weight(route.targetGroupArn) };
  }

  /** `count` users' GET /orders to the service's app, a few at a time, as an ALB spreads them. */
  private async send(service: string, count: number): Promise<Answered> {
    if (count === 0) return { requests: 0, errors: 0 };
    const port = this.options.portOf(service);
    if (port === undefined) throw new Error(`ALB traffic: ${service} gets traffic but runs no task`);
    let errors = 0;
    let left = count;
    const user = async () => {
      while (left > 0) {
        left -= 1;
        const res = await fetch(`http://127.0.0.1:${port}/orders`);
        await res.arrayBuffer();
        if (res.status >= 500) errors += 1;
      }
    };
    await Promise.all(Array.from({ length: 8 }, user));
    return { requests: count, errors };
  }

  private async publish(route: CanaryRoute, targetGroupArn: string, answered: Answered): Promise<void> {
    if (answered.requests === 0) return;
    const { aliases } = this.options;
    const Dimensions = [
      { Name: 'LoadBalancer', Value: aliases.motoOf(loadBalancerDimension(route.listenerRuleArn)) },
      { Name: 'TargetGroup', Value: aliases.motoOf(targetGroupDimension(targetGroupArn)) },
    ];
    const Timestamp = new Date(this.options.now());
    await this.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricData: [
          { MetricName: 'RequestCount', Dimensions, Timestamp, Value: answered.requests, Unit: 'Count' },
          {
            MetricName: 'HTTPCode_Target_5XX_Count',
            Dimensions,
            Timestamp,
            Value: answered.errors,
            Unit: 'Count',
          },
        ],
      }),
    );
  }
}
