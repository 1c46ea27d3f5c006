import * as iam from 'aws-cdk-lib/aws-iam';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { Capability, type CapabilityGrant } from '../function-grants.js';
import type { TollgateFunction } from './tollgate-function.js';

/**
 * Puts a function's grants on its role.
 *
 * - RunRead names the state machine, whose definition names the function: in the role's default
 *   policy (which the function depends on) that would be a cycle, so it gets a policy of its own
 *   that nothing else depends on. TaskCallback (on `*`: no resource-level permissions) gets its own
 *   too, so its nag suppression cannot hide any other wildcard on the role.
 * - Statements on a bare `*` (ECS task definitions, ELBv2 rule reads, GetMetricData) get a policy of their own too, so their nag
 *   suppression cannot hide any other wildcard on the role.
 */
export function attachGrants(
  scope: Construct,
  name: string,
  fn: TollgateFunction,
  grants: readonly CapabilityGrant[],
): void {
  const of = (capability: Capability) =>
    grants.filter((g) => g.capability === capability).flatMap((g) => g.statements);
  const callback = of(Capability.TaskCallback);
  const runRead = of(Capability.RunRead);
  const namesMachine = new Set<Capability>([Capability.TaskCallback, Capability.RunRead]);
  const rest = grants.filter((g) => !namesMachine.has(g.capability)).flatMap((g) => g.statements);
  const wildcard = rest.filter((s) => s.resources.includes('*'));
  for (const statement of rest) if (!wildcard.includes(statement)) fn.addToRolePolicy(statement);
  if (callback.length) {
    const policy = new iam.Policy(scope, `Task-${name}-TaskCallback`, {
      statements: callback,
      roles: [fn.role],
    });
    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'states:SendTaskSuccess and SendTaskFailure do not support resource-level permissions; the task ' +
          'token a function holds names the one waiting task',
        appliesTo: ['Resource::*'],
      },
    ]);
  }
  if (runRead.length) {
    const policy = new iam.Policy(scope, `Task-${name}-RunRead`, { statements: runRead, roles: [fn.role] });
    NagSuppressions.addResourceSuppressions(policy, [EXECUTIONS_SUPPRESSION]);
  }
  if (wildcard.length) {
    const policy = new iam.Policy(scope, `Task-${name}-TaskDefinitions`, {
      statements: wildcard,
      roles: [fn.role],
    });
    NagSuppressions.addResourceSuppressions(policy, [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'ecs:RegisterTaskDefinition, ecs:DescribeTaskDefinition, elasticloadbalancing:DescribeRules and ' +
          'cloudwatch:GetMetricData do not support resource-level permissions',
        appliesTo: ['Resource::*'],
      },
    ]);
  }
  NagSuppressions.addResourceSuppressions(
    fn.role,
    [
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Artifact and ledger keys are content-addressed or per-run, so object access is granted under the ' +
          'bucket (never on another bucket), deletes only under .staging/ (multipart staging) and test ' +
          'results only under tests/ (one prefix per build); ECS task roles are matched by the pipeline name prefix',
        appliesTo: [
          { regex: '/^Resource::<.*(Artifacts|Ledger).*\\.Arn>\\/(\\.staging\\/|tests\\/)?\\*$/g' },
          { regex: '/role\\/.*-\\*$/g' },
        ],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'A new task definition revision has no ARN before it is registered; ecs:TagResource is granted on ' +
          'task-definition/* only with ecs:CreateAction = RegisterTaskDefinition (tags set at creation), and ' +
          "ecs:RunTask (the compatibility trial runs the revision the service runs) only with ecs:cluster = the environments' clusters",
        appliesTo: [
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task-definition\\/\\*$/g',
          },
        ],
      },
      {
        id: 'AwsSolutions-IAM5',
        reason:
          "A compatibility trial's task ARN exists only once RunTask started it; DescribeTasks and StopTask are " +
          "granted on the tasks of the environments' clusters (task/<cluster>/*)",
        appliesTo: [
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task\\/[^/]+\\/\\*$/g',
          },
        ],
      },
      EXECUTIONS_SUPPRESSION,
      {
        id: 'AwsSolutions-IAM5',
        reason:
          'Aurora clones are created per run as tg-<env>-<hash>, so create/delete are granted on the tg- prefix ' +
          '(the source cluster is denied); listing clusters and the source subnet group, unknown at synth, ' +
          'need cluster:* (Describe only) and subgrp:* (only with the restore)',
        appliesTo: [
          {
            regex:
              '/^Resource::arn:<AWS::Partition>:rds:<AWS::Region>:<AWS::AccountId>:(cluster|db|subgrp):(tg-)?\\*$/g',
          },
        ],
      },
    ],
    true,
  );
}

const EXECUTIONS_SUPPRESSION = {
  id: 'AwsSolutions-IAM5',
  reason:
    'Executions are named per run, so DescribeExecution is granted on the executions of this ' +
    'pipeline state machine only (execution:<its name>:*)',
  appliesTo: [
    {
      regex:
        '/^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<[A-Za-z0-9]+\\.Name>:\\*$/g',
    },
  ],
};
