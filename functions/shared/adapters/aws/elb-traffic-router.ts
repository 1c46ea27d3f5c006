import { type ECSClient, type Service, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  type Action,
  type ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { EcsCanaryConfig } from '../../config/ecs-canary-schema.js';
import type { TollgateConfig } from '../../config/schema.js';
import { ConfigError, DeployFailedError, InvalidInputError, NotFoundError } from '../../errors.js';
import type { TrafficRouter, TrafficSplit } from '../../ports/traffic-router.js';
import { describeService, ecsTarget, releaseOf, servingVersion } from './ecs-services.js';
import { describeCanaryRule } from './elb-canary-rule.js';

interface CanaryTarget {
  readonly cluster: string;
  /** The environment's own service: the baseline, and the release record's home. */
  readonly service: string;
  readonly canary: EcsCanaryConfig;
  /** strategy.sticky: a client keeps the target group (release) that first served it. */
  readonly sticky: boolean;
}

/** How long the load balancer pins a client when `sticky` turns stickiness on and the rule had none. */
const STICKY_SECONDS = 3_600;

/**
 * The AWS TrafficRouter: the environment's ALB listener rule forwards to two target groups, the
 * environment service's (baseline) and the canary service's, and `shift` sets their weights with
 * ModifyRule. Nothing here waits: each call reads where things stand, moves one step and returns.
 *
 * `complete` takes two calls on ECS, because the environment's own service must run the canary's
 * task definition before the canary service can stop: the first gives the canary 100% and points
 * the service at the canary's task definition (its rollout starts); once that rollout completed, a
 * later call puts the weight back on the service's target group and scales the canary to 0. Until
 * then it answers `canaryPercent: 100`, so a caller polls it like a deployment.
 */
export class ElbTrafficRouter implements TrafficRouter {
  private readonly config: TollgateConfig;
  private readonly ecs: ECSClient;
  private readonly elb: ElasticLoadBalancingV2Client;

  constructor(options: {
    readonly config: TollgateConfig;
    readonly ecs: ECSClient;
    readonly elb: ElasticLoadBalancingV2Client;
  }) {
    this.config = options.config;
    this.ecs = options.ecs;
    this.elb = options.elb;
  }

  async shift(r: {
    pipeline: string;
    environment: string;
    canaryVersion: string;
    percent: number;
  }): Promise<TrafficSplit> {
    if (!Number.isInteger(r.percent) || r.percent < 0 || r.percent > 100) {
      throw new InvalidInputError(`traffic percent ${r.percent} is not a whole number from 0 to 100`);
    }
    const target = this.target(r.pipeline, r.environment);
    const canary = await describeService(this.ecs, target.cluster, target.canary.service);
    const running = await this.canaryRelease(canary);
    if (running !== r.canaryVersion) {
      throw new NotFoundError(
        `canary service ${target.canary.service} runs ${running ?? 'no release'}, not ${r.canaryVersion}; start it with a canary deploy first`,
      );
    }
    await this.weigh(target, r.percent);
    return this.describe(target);
  }

  async abort(r: {
    pipeline: string;
    environment: string;
    canaryVersion: string;
    reason: string;
  }): Promise<TrafficSplit> {
    const target = this.target(r.pipeline, r.environment);
    // Traffic first: whatever the canary runs, the baseline serving everything is always safe.
    await this.weigh(target, 0);
    const canary = await describeService(this.ecs, target.cluster, target.canary.service);
    // Another release's tasks there are not this canary's to stop.
    if ((await this.canaryRelease(canary)) === r.canaryVersion) await this.scaleDown(target);
    return this.describe(target);
  }

  async complete(r: { pipeline: string; environment: string; canaryVersion: string }): Promise<TrafficSplit> {
    const target = this.target(r.pipeline, r.environment);
    const service = await describeService(this.ecs, target.cluster, target.service);
    if ((await servingVersion(this.ecs, service)) === r.canaryVersion) {
      // The service took over: its target group serves everything again and the canary idles.
      await this.weigh(target, 0);
      await this.scaleDown(target);
      return this.describe(target);
    }
    const canary = await describeService(this.ecs, target.cluster, target.canary.service);
    const running = await this.canaryRelease(canary);
    if (running !== r.canaryVersion || !canary.taskDefinition) {
      throw new NotFoundError(
        `canary service ${target.canary.service} runs ${running ?? 'no release'}, not ${r.canaryVersion}; nothing to complete`,
      );
    }
    const failed = service.deployments?.find(
      (d) => d.taskDefinition === canary.taskDefinition && d.rolloutState === 'FAILED',
    );
    if (failed) {
      throw new DeployFailedError(
        `${target.service} could not take over ${r.canaryVersion}: ${failed.rolloutStateReason ?? 'its rollout failed'}; the canary service still serves all traffic`,
      );
    }
    await this.weigh(target, 100);
    if (service.taskDefinition !== canary.taskDefinition) {
      await this.ecs.send(
        new UpdateServiceCommand({
          cluster: target.cluster,
          service: target.service,
          taskDefinition: canary.taskDefinition,
        }),
      );
    }
    return this.describe(target);
  }

  async split(pipeline: string, environment: string): Promise<TrafficSplit | undefined> {
    const split = await this.describe(this.target(pipeline, environment));
    return split.baseline === undefined && split.canary === undefined ? undefined : split;
  }

  private async describe(target: CanaryTarget): Promise<TrafficSplit> {
    const [service, canary, weights] = await Promise.all([
      describeService(this.ecs, target.cluster, target.service),
      describeService(this.ecs, target.cluster, target.canary.service),
      this.weights(target.canary),
    ]);
    const baseline = await servingVersion(this.ecs, service);
    const running = await this.canaryRelease(canary);
    const total = weights.baseline + weights.canary;
    return {
      ...(baseline !== undefined ? { baseline } : {}),
      ...(running !== undefined ? { canary: running } : {}),
      canaryPercent: total === 0 ? 0 : Math.round((weights.canary * 100) / total),
    };
  }

  /** The release the canary service runs tasks of; undefined while it idles at 0 tasks. */
  private async canaryRelease(canary: Service): Promise<string | undefined> {
    if (!canary.desiredCount || !canary.taskDefinition) return undefined;
    return releaseOf(this.ecs, canary.taskDefinition);
  }

  private async scaleDown(target: CanaryTarget): Promise<void> {
    const canary = await describeService(this.ecs, target.cluster, target.canary.service);
    if (!canary.desiredCount) return;
    await this.ecs.send(
      new UpdateServiceCommand({ cluster: target.cluster, service: target.canary.service, desiredCount: 0 }),
    );
  }

  private async weights(canary: EcsCanaryConfig): Promise<{ baseline: number; canary: number }> {
    return weightsOf(canary, (await describeCanaryRule(this.elb, canary.listenerRuleArn)).forward);
  }

  /** Sets the rule's forward weights to `100 - percent` (baseline) and `percent` (canary). */
  private async weigh(target: CanaryTarget, percent: number): Promise<void> {
    const { canary } = target;
    const { rule, forward } = await describeCanaryRule(this.elb, canary.listenerRuleArn);
    const current = weightsOf(canary, forward);
    const total = current.baseline + current.canary;
    if (total > 0 && current.canary * 100 === percent * total) return; // already there: no write
    const weighted: Action = {
      Type: 'forward',
      ...(forward.Order !== undefined ? { Order: forward.Order } : {}),
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: canary.baselineTargetGroupArn, Weight: 100 - percent },
          { TargetGroupArn: canary.targetGroupArn, Weight: percent },
        ],
        // `sticky` turns target-group stickiness on (a client stays with the release that first
        // served it); otherwise the rule's own setting is kept.
        ...stickiness(target.sticky, forward),
      },
    };
    // Other actions (say, an authenticate step before the forward) stay as they are.
    const actions = (rule.Actions ?? []).map((a) => (a === forward ? weighted : a));
    await this.elb.send(new ModifyRuleCommand({ RuleArn: canary.listenerRuleArn, Actions: actions }));
  }

  private target(pipeline: string, environment: string): CanaryTarget {
    const target = ecsTarget(this.config, pipeline, environment);
    if (!target.canary) {
      throw new InvalidInputError(
        `environment "${environment}" has no deploy.canary, so its traffic cannot be split (add one, or use strategy all-at-once)`,
      );
    }
    const strategy = this.config.environments.find((e) => e.name === environment)!.strategy;
    return {
      cluster: target.cluster,
      service: target.service,
      canary: target.canary,
      sticky: strategy.type !== 'all-at-once' && strategy.sticky,
    };
  }
}

/** The forward action's weights on the two target groups; a rule that also feeds a third is refused. */
function weightsOf(canary: EcsCanaryConfig, forward: Action): { baseline: number; canary: number } {
  const groups = forward.ForwardConfig?.TargetGroups ?? [
    { TargetGroupArn: forward.TargetGroupArn, Weight: 1 },
  ];
  const weight = (arn: string) =>
    groups.filter((g) => g.TargetGroupArn === arn).reduce((sum, g) => sum + (g.Weight ?? 1), 0);
  const stray = groups.find(
    (g) =>
      g.TargetGroupArn !== canary.baselineTargetGroupArn &&
      g.TargetGroupArn !== canary.targetGroupArn &&
      (g.Weight ?? 1) > 0,
  );
  if (stray) {
    throw new ConfigError(
      `listener rule ${canary.listenerRuleArn} also forwards to ${stray.TargetGroupArn}; it may forward only to the baseline and canary target groups`,
    );
  }
  return { baseline: weight(canary.baselineTargetGroupArn), canary: weight(canary.targetGroupArn) };
}

function stickiness(sticky: boolean, forward: Action) {
  const configured = forward.ForwardConfig?.TargetGroupStickinessConfig;
  if (sticky) {
    return {
      TargetGroupStickinessConfig: {
        Enabled: true,
        DurationSeconds: configured?.Enabled
          ? (configured.DurationSeconds ?? STICKY_SECONDS)
          : STICKY_SECONDS,
      },
    };
  }
  return configured ? { TargetGroupStickinessConfig: configured } : {};
}
