import * as z from 'zod';

/** `arn:<partition>:elasticloadbalancing:<region>:<account>:listener-rule/app/<lb>/<lb id>/<listener id>/<rule id>` */
const LISTENER_RULE_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener-rule\/app\/[\w-]+\/[0-9a-f]+\/[0-9a-f]+\/[0-9a-f]+$/;
/** `arn:<partition>:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>` */
const TARGET_GROUP_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup\/[\w-]+\/[0-9a-f]+$/;

const targetGroupArn = z
  .string()
  .regex(TARGET_GROUP_ARN, 'must be an application target group ARN (…:targetgroup/<name>/<id>)');

/**
 * `environments[].deploy.canary` (ECS only): where a canary runs beside the environment's service.
 * The listener rule forwards to both target groups with weights that Tollgate's traffic router sets;
 * `service` (same cluster and container name as the environment's) is registered in `targetGroupArn`
 * and idles at 0 tasks between canaries.
 */
export const ecsCanary = z.strictObject({
  /** The second ECS service that runs the canary release. */
  service: z.string().min(1),
  /** A non-default rule of the environment's ALB listener (a default action is changed by ModifyListener). */
  listenerRuleArn: z
    .string()
    .regex(
      LISTENER_RULE_ARN,
      'must be an ALB listener rule ARN (…:listener-rule/app/<lb>/<id>/<listener>/<rule>)',
    ),
  /** The canary service's target group. */
  targetGroupArn,
  /** The environment service's target group: the baseline's share goes here. */
  baselineTargetGroupArn: targetGroupArn,
});

export type EcsCanaryConfig = z.output<typeof ecsCanary>;

/** `app/<lb>/<id>`: the LoadBalancer dimension of AWS/ApplicationELB metrics, from the rule's ARN. */
export function loadBalancerDimension(listenerRuleArn: string): string {
  const [, lb, id] = listenerRuleArn.split(':listener-rule/')[1]!.split('/');
  return `app/${lb}/${id}`;
}

/** `targetgroup/<name>/<id>`: the TargetGroup dimension of AWS/ApplicationELB metrics. */
export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.indexOf(':targetgroup/') + 1);
}
