import { ArnFormat, type Stack } from 'aws-cdk-lib';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import type { CanaryTargets } from './function-grants.js';

/**
 * What the canary functions may touch, from the environments with `deploy.canary` (the schema
 * requires it of every ECS environment with a canary or linear strategy). No such environment: all
 * lists are empty, and shift-traffic and analyze-canary get no AWS statement beyond the ledger.
 */
export function canaryTargets(stack: Stack, config: TollgateConfig): CanaryTargets {
  const canaries = config.environments.flatMap((env) =>
    env.deploy.type === 'ecs' && env.deploy.canary && env.strategy.type !== 'all-at-once'
      ? [{ deploy: env.deploy, canary: env.deploy.canary, checks: env.strategy.analysis }]
      : [],
  );
  const service = (cluster: string, name: string) =>
    stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${cluster}/${name}` });
  const alarms = canaries.flatMap((c) =>
    c.checks.flatMap((check) => (check.source === 'alarm' ? [check.alarm] : [])),
  );
  return {
    listenerRuleArns: [...new Set(canaries.map((c) => c.canary.listenerRuleArn))],
    serviceArns: canaries.flatMap((c) => [
      service(c.deploy.cluster, c.deploy.service),
      service(c.deploy.cluster, c.canary.service),
    ]),
    alarmArns: [...new Set(alarms)].map((name) =>
      stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    ),
    readsMetrics: canaries.some((c) =>
      c.checks.some((check) => check.source === 'requests' || check.source === 'cloudwatch'),
    ),
  };
}

/** The canary services, which the deployer updates (canary mode) and polls beside the environment's. */
export function canaryServiceArns(stack: Stack, config: TollgateConfig): string[] {
  return config.environments.flatMap((env) =>
    env.deploy.type === 'ecs' && env.deploy.canary
      ? [
          stack.formatArn({
            service: 'ecs',
            resource: 'service',
            resourceName: `${env.deploy.cluster}/${env.deploy.canary.service}`,
          }),
        ]
      : [],
  );
}
