import {
  type Action,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigError, NotFoundError } from '../../errors.js';

/** A canary's listener rule and the forward action whose weights a canary step sets. */
export interface CanaryRule {
  readonly rule: Rule;
  readonly forward: Action;
  /** The target groups the forward action sends to (weighted, or its single group). */
  readonly targets: readonly string[];
}

/**
 * The listener rule `deploy.canary.listenerRuleArn` names, as the traffic router weights it and as
 * `tollgate doctor --aws` checks it: one lookup, so the doctor refuses exactly what a canary step
 * would fail on. Throws NotFoundError when the rule is gone, ConfigError when it cannot be weighted
 * (its listener's default rule, which only ModifyListener changes; no forward action); any other
 * AWS error as it came.
 */
export async function describeCanaryRule(
  elb: Pick<ElasticLoadBalancingV2Client, 'send'>,
  ruleArn: string,
): Promise<CanaryRule> {
  let rule: Rule | undefined;
  try {
    rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules?.[0];
  } catch (error) {
    // RuleNotFoundException from AWS; moto names it RuleNotFound.
    if (/^RuleNotFound/.test((error as Error).name))
      throw new NotFoundError(`listener rule ${ruleArn} does not exist`, { cause: error });
    throw error;
  }
  if (!rule) throw new NotFoundError(`listener rule ${ruleArn} does not exist`);
  if (rule.IsDefault)
    throw new ConfigError(
      `listener rule ${ruleArn} is its listener's default rule; Tollgate weights a non-default rule`,
    );
  const forward = rule.Actions?.find((a) => a.Type === 'forward');
  if (!forward) throw new ConfigError(`listener rule ${ruleArn} has no forward action to weight`);
  const weighted = forward.ForwardConfig?.TargetGroups?.flatMap((g) =>
    g.TargetGroupArn ? [g.TargetGroupArn] : [],
  );
  const targets = weighted?.length ? weighted : forward.TargetGroupArn ? [forward.TargetGroupArn] : [];
  return { rule, forward, targets };
}
