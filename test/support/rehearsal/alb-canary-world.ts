import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TollgateConfigInput } from '../../../functions/shared/config/schema.js';
import { ec2, field } from '../moto-alb-canary.js';
import type { MotoServer } from '../moto-server.js';
import type { IdAliases } from './id-aliases.js';
import { adminClientConfig } from './provision.js';

/** A canary environment's ALB side, by the config's ARNs (moto's are reached through the aliases). */
export interface CanaryRoute {
  readonly environment: string;
  readonly cluster: string;
  readonly service: string;
  readonly canaryService: string;
  readonly listenerRuleArn: string;
  readonly targetGroupArn: string;
  readonly baselineTargetGroupArn: string;
}

/** The canary environments of the config (ECS, `deploy.canary`, a canary or linear strategy). */
export function canaryRoutes(config: TollgateConfigInput): CanaryRoute[] {
  return config.environments.flatMap((e) =>
    e.deploy.type === 'ecs' && e.deploy.canary && e.strategy && e.strategy.type !== 'all-at-once'
      ? [
          {
            environment: e.name,
            cluster: e.deploy.cluster,
            service: e.deploy.service,
            canaryService: e.deploy.canary.service,
            listenerRuleArn: e.deploy.canary.listenerRuleArn,
            targetGroupArn: e.deploy.canary.targetGroupArn,
            baselineTargetGroupArn: e.deploy.canary.baselineTargetGroupArn,
          },
        ]
      : [],
  );
}

/** `…:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id>` → its parts. */
function ruleParts(arn: string) {
  const [, lb, lbId, listenerId, ruleId] = arn.split(':listener-rule/')[1]!.split('/');
  return { lb: lb!, lbId: lbId!, listenerId: listenerId!, ruleId: ruleId! };
}

const targetGroupParts = (arn: string) => {
  const [name, id] = arn.split(':targetgroup/')[1]!.split('/');
  return { name: name!, id: id! };
};

/**
 * Creates in moto what the platform team creates before the first canary: per canary environment a
 * VPC with two subnets, the ALB the rule's ARN names, the two target groups by their names, an HTTP
 * listener, and the rule forwarding all of `/*` to the baseline target group. moto's ids go into
 * `aliases` beside the config's.
 */
export async function createAlbCanaryRoutes(
  moto: MotoServer,
  routes: readonly CanaryRoute[],
  aliases: IdAliases,
): Promise<void> {
  const elb = new ElasticLoadBalancingV2Client(adminClientConfig(moto.endpoint));
  for (const [n, route] of routes.entries()) {
    const rule = ruleParts(route.listenerRuleArn);
    const vpcId = field(await ec2(moto, { Action: 'CreateVpc', CidrBlock: `10.${30 + n}.0.0/16` }), 'vpcId');
    const subnets: string[] = [];
    for (const [index, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
      const xml = await ec2(moto, {
        Action: 'CreateSubnet',
        VpcId: vpcId,
        CidrBlock: `10.${30 + n}.${index}.0/24`,
        AvailabilityZone: zone,
      });
      subnets.push(field(xml, 'subnetId'));
    }
    const lb = (
      await elb.send(new CreateLoadBalancerCommand({ Name: rule.lb, Subnets: subnets, Type: 'application' }))
    ).LoadBalancers![0]!;
    aliases.add(rule.lbId, lb.LoadBalancerArn!.split('/').pop()!);
    const group = async (configArn: string) => {
      const { name, id } = targetGroupParts(configArn);
      const created = (
        await elb.send(
          new CreateTargetGroupCommand({
            Name: name,
            Protocol: 'HTTP',
            Port: 8080,
            VpcId: vpcId,
            TargetType: 'ip',
          }),
        )
      ).TargetGroups![0]!.TargetGroupArn!;
      aliases.add(id, targetGroupParts(created).id);
      return created;
    };
    const baseline = await group(route.baselineTargetGroupArn);
    await group(route.targetGroupArn);
    const listener = (
      await elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: lb.LoadBalancerArn!,
          Protocol: 'HTTP',
          Port: 80,
          DefaultActions: [
            { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' } },
          ],
        }),
      )
    ).Listeners![0]!;
    aliases.add(rule.listenerId, listener.ListenerArn!.split('/').pop()!);
    const created = await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn!,
        Priority: 10,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Actions: [
          { Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: baseline, Weight: 100 }] } },
        ],
      }),
    );
    aliases.add(rule.ruleId, created.Rules![0]!.RuleArn!.split('/').pop()!);
  }
}
