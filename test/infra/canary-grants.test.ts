import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TaskName } from '../../functions/task-registry.js';
import { CANARY_ARNS } from '../support/ecs-canary-fixtures.js';
import { type BuiltStack, buildStack, ecsConfigInput, statementsOfRole } from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const SYNTH_MS = 300_000;
const actions = (s: Json): string[] => [s.Action].flat();

/** prod runs a canary: its deploy names the canary service, rule and target groups. */
const canaryConfig = () =>
  ecsConfigInput({
    environments: [
      {
        name: 'staging',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-staging', containerName: 'app' },
      },
      {
        name: 'prod',
        deploy: {
          type: 'ecs',
          cluster: 'apps',
          service: 'orders-prod',
          containerName: 'app',
          canary: { service: 'orders-prod-canary', ...CANARY_ARNS },
        },
        strategy: {
          type: 'canary',
          steps: [10, 50],
          interval: '2m',
          analysis: [
            { source: 'requests', metric: 'error-rate', max: 0.01 },
            { source: 'alarm', alarm: 'orders-prod-canary-5xx' },
          ],
        },
      },
    ],
  });

/**
 * Each grant answers a call the canary adapters make: ElbTrafficRouter (DescribeRules, ModifyRule,
 * DescribeServices/UpdateService of both services, DescribeTaskDefinition for the release tags),
 * CloudWatchMetricsSource and CloudWatchChecks (GetMetricData, DescribeAlarms).
 */
describe('canary grants in the synthesized template', () => {
  let canary: BuiltStack;
  let plain: BuiltStack;
  beforeAll(() => {
    canary = buildStack(canaryConfig());
    plain = buildStack();
  }, SYNTH_MS);

  const statementsOf = (built: BuiltStack, task: TaskName): Json[] =>
    statementsOfRole(
      built.template.toJSON().Resources,
      built.stack.getLogicalId(built.stack.pipeline.functions[task].role.node.defaultChild as CfnRole),
    );
  const allows = (built: BuiltStack, task: TaskName, action: string) =>
    statementsOf(built, task).filter((s) => actions(s).includes(action));

  it('lets shift-traffic weight only the configured listener rule and update only the two prod services', () => {
    // Assert
    const modify = allows(canary, 'shift-traffic', 'elasticloadbalancing:ModifyRule');
    expect(modify.map((s) => s.Resource)).toEqual([CANARY_ARNS.listenerRuleArn]);
    const update = allows(canary, 'shift-traffic', 'ecs:UpdateService');
    expect(update).toHaveLength(1);
    const services = JSON.stringify(update[0].Resource);
    expect(services).toContain(':service/apps/orders-prod"');
    expect(services).toContain(':service/apps/orders-prod-canary"');
    expect(services).not.toContain('orders-staging');
    expect(
      allows(canary, 'shift-traffic', 'elasticloadbalancing:DescribeRules').map((s) => s.Resource),
    ).toEqual(['*']);
  });

  it('lets analyze-canary read metrics and the named alarm, and change nothing', () => {
    // Assert
    expect(allows(canary, 'analyze-canary', 'cloudwatch:GetMetricData').map((s) => s.Resource)).toEqual([
      '*',
    ]);
    const alarms = allows(canary, 'analyze-canary', 'cloudwatch:DescribeAlarms');
    expect(JSON.stringify(alarms.map((s) => s.Resource))).toContain(':alarm:orders-prod-canary-5xx');
    const writes = statementsOf(canary, 'analyze-canary')
      .flatMap(actions)
      .filter((a) => /^(ecs|elasticloadbalancing|cloudwatch):(?!Describe|Get)/.test(a));
    expect(writes).toEqual([]);
  });

  it('lets deploy and poll-deployment reach the canary service (canary mode starts the release there)', () => {
    for (const task of ['deploy', 'poll-deployment'] as const) {
      const described = allows(canary, task, 'ecs:DescribeServices');
      expect(JSON.stringify(described.map((s) => s.Resource))).toContain(':service/apps/orders-prod-canary"');
    }
  });

  it('grants no ELBv2 or CloudWatch action to any function without a canary environment', () => {
    // Assert
    const granted = Object.values(plain.template.toJSON().Resources as Json)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[])
      .flatMap(actions)
      .filter((a) => /^(elasticloadbalancing|cloudwatch):/.test(a));
    expect(granted).toEqual([]);
    expect(
      statementsOf(plain, 'shift-traffic')
        .flatMap(actions)
        .filter((a) => a.startsWith('ecs:')),
    ).toEqual([]);
  });

  it('leaves no unsuppressed cdk-nag finding with a canary environment (the wildcard reads get their own policy)', () => {
    // Assert
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    const findings = [
      ...Annotations.fromStack(canary.stack).findError('*', nag),
      ...Annotations.fromStack(canary.stack).findWarning('*', nag),
    ];
    expect(findings.map((f) => `${f.id}: ${JSON.stringify(f.entry.data).slice(0, 160)}`)).toEqual([]);
  });
});
