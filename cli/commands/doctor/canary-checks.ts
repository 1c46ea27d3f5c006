import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { describeCanaryRule } from '../../../functions/shared/adapters/aws/elb-canary-rule.js';
import type { EcsCanaryConfig } from '../../../functions/shared/config/ecs-canary-schema.js';
import type { EnvironmentConfig, TollgateConfig } from '../../../functions/shared/config/schema.js';
import { ConfigError, NotFoundError } from '../../../functions/shared/errors.js';
import { type DoctorCheck, fail, ok, warn } from './doctor-check.js';
import { awsError } from './state-machine-checks.js';

export interface CanaryClients {
  readonly elb: Pick<ElasticLoadBalancingV2Client, 'send'>;
  readonly ecs: Pick<ECSClient, 'send'>;
}

type EcsDeploy = Extract<EnvironmentConfig['deploy'], { type: 'ecs' }>;

/**
 * One `aws-canary` line per ECS environment that releases as a canary: what its `deploy.canary`
 * names must exist as Tollgate will use it, or the first canary step fails in prod, after the
 * approval. The listener rule (not the listener's default rule, which ModifyRule cannot weight)
 * forwards to the baseline target group and to nothing deploy.canary does not name: each step
 * rewrites the rule's forward action to those two groups, so a third would lose its traffic. The
 * canary's target group exists, and the canary service is ACTIVE in the environment's cluster and
 * registered in that group (otherwise its tasks would get no traffic).
 */
export async function canaryChecks(config: TollgateConfig, clients: CanaryClients): Promise<DoctorCheck[]> {
  const canaries = config.environments.flatMap((env) =>
    env.deploy.type === 'ecs' && env.deploy.canary && env.strategy.type !== 'all-at-once'
      ? [{ env: env.name, deploy: env.deploy, canary: env.deploy.canary }]
      : [],
  );
  return Promise.all(canaries.map((c) => canaryCheck(c.env, c.deploy, c.canary, clients)));
}

async function canaryCheck(
  env: string,
  deploy: EcsDeploy,
  canary: EcsCanaryConfig,
  clients: CanaryClients,
): Promise<DoctorCheck> {
  const rule = await forwardOf(canary.listenerRuleArn, clients);
  if (typeof rule === 'string') return fail('aws-canary', `${env}: ${rule}`);
  const named = new Set([canary.baselineTargetGroupArn, canary.targetGroupArn]);
  const strangers = rule.targets.filter((arn) => !named.has(arn));
  if (strangers.length > 0)
    return fail(
      'aws-canary',
      `${env}: listener rule ${canary.listenerRuleArn} also forwards to ${strangers.join(', ')}, which deploy.canary does not name; a canary step would take that traffic away`,
    );
  if (!rule.targets.includes(canary.baselineTargetGroupArn))
    return fail(
      'aws-canary',
      `${env}: listener rule ${canary.listenerRuleArn} does not forward to deploy.canary.baselineTargetGroupArn ${canary.baselineTargetGroupArn}`,
    );
  const group = await targetGroupExists(canary.targetGroupArn, clients);
  if (group !== true) return fail('aws-canary', `${env}: ${group}`);
  const service = await canaryService(deploy.cluster, canary, clients);
  if (service.status === 'fail') return fail('aws-canary', `${env}: ${service.detail}`);
  if (service.status === 'warn') return warn('aws-canary', `${env}: ${service.detail}`);
  return ok(
    'aws-canary',
    `${env}: listener rule forwards to the baseline target group${rule.targets.includes(canary.targetGroupArn) ? ' and the canary one' : ''}; ${service.detail}`,
  );
}

/** The rule's forward targets, or why there are none to weight: the traffic router's own lookup. */
async function forwardOf(
  ruleArn: string,
  { elb }: CanaryClients,
): Promise<{ targets: readonly string[] } | string> {
  try {
    return await describeCanaryRule(elb, ruleArn);
  } catch (error) {
    if (error instanceof NotFoundError) return `${error.message} (deploy.canary.listenerRuleArn)`;
    if (error instanceof ConfigError) return error.message;
    return `cannot describe listener rule ${ruleArn}: ${awsError(error)}`;
  }
}

async function targetGroupExists(arn: string, { elb }: CanaryClients): Promise<true | string> {
  try {
    const { TargetGroups } = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    if (TargetGroups?.length) return true;
  } catch (error) {
    if (!/^TargetGroupNotFound/.test((error as Error).name))
      return `cannot describe target group ${arn}: ${awsError(error)}`;
  }
  return `target group ${arn} does not exist (deploy.canary.targetGroupArn)`;
}

async function canaryService(
  cluster: string,
  canary: EcsCanaryConfig,
  { ecs }: CanaryClients,
): Promise<{ status: 'ok' | 'warn' | 'fail'; detail: string }> {
  let service: { status?: string; loadBalancers?: Array<{ targetGroupArn?: string }> } | undefined;
  try {
    const found = await ecs.send(new DescribeServicesCommand({ cluster, services: [canary.service] }));
    service = found.services?.find((s) => s.serviceName === canary.service);
  } catch (error) {
    return {
      status: 'fail',
      detail: `cannot describe service ${canary.service} in cluster ${cluster}: ${awsError(error)}`,
    };
  }
  if (!service || service.status === 'INACTIVE')
    return {
      status: 'fail',
      detail: `canary service ${canary.service} does not exist in cluster ${cluster} (deploy.canary.service)`,
    };
  if (service.status !== 'ACTIVE')
    return { status: 'warn', detail: `canary service ${canary.service} is ${service.status}` };
  if (!service.loadBalancers?.some((lb) => lb.targetGroupArn === canary.targetGroupArn))
    return {
      status: 'fail',
      detail: `canary service ${canary.service} is not registered in deploy.canary.targetGroupArn ${canary.targetGroupArn}; its tasks would get no traffic`,
    };
  return {
    status: 'ok',
    detail: `canary service ${canary.service} is ACTIVE in ${cluster}, in the canary target group`,
  };
}
