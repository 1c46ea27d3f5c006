import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASKS } from '../../functions/task-registry.js';
import type { GrantedFunction } from '../../infra/function-grants.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  type BuiltStack,
  buildStack,
  statementsOfRole,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const actionsOf = (s: Json): string[] => [s.Action].flat();
const isPlumbing = (s: Json) => actionsOf(s).every((a) => /^(logs|xray):/.test(a));

describe('TollgatePipeline approval grants', () => {
  let built: BuiltStack;
  let resources: Record<string, Json>;
  let tableId: string;
  let machineId: string;

  const roleId = (fn: GrantedFunction) => {
    const { pipeline } = built.stack;
    const role =
      fn === 'approve'
        ? pipeline.approve.handler.role
        : fn === 'release-ended-run'
          ? pipeline.runEnd.handler.role
          : pipeline.functions[fn].role;
    return built.stack.getLogicalId(role.node.defaultChild as CfnRole);
  };
  const dataStatements = (fn: GrantedFunction) =>
    statementsOfRole(resources, roleId(fn)).filter((s) => !isPlumbing(s));
  const onApprovals = (fn: GrantedFunction) =>
    dataStatements(fn).filter((s) => JSON.stringify(s.Resource).includes(tableId));
  const tableArn = () => ({ 'Fn::GetAtt': [tableId, 'Arn'] });
  const keys = (pattern: string) => ({
    'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [pattern] },
  });
  const records = () => ({
    Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    Effect: 'Allow',
    Resource: tableArn(),
    Condition: keys('approval#*'),
  });
  const pendingIndex = () => ({
    Action: 'dynamodb:Query',
    Effect: 'Allow',
    Resource: { 'Fn::Join': ['', [tableArn(), '/index/pending']] },
  });

  beforeAll(() => {
    built = buildStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS });
    resources = built.template.toJSON().Resources;
    tableId = built.stack.getLogicalId(built.stack.pipeline.approvals.table.node.defaultChild as never);
    machineId = built.stack.getLogicalId(built.stack.pipeline.stateMachine.node.defaultChild as never);
  });

  it('returns request-approval records access, a token write and no token read', () => {
    // Act
    const statements = onApprovals('request-approval');

    // Assert
    expect(statements).toEqual([
      records(),
      pendingIndex(),
      { Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: tableArn(), Condition: keys('token#*') },
    ]);
  });

  it('returns approve records access plus reading and discarding tokens', () => {
    expect(onApprovals('approve')).toEqual([
      records(),
      pendingIndex(),
      {
        Action: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
        Effect: 'Allow',
        Resource: tableArn(),
        Condition: keys('token#*'),
      },
    ]);
  });

  it('returns record-approval-timeout a token delete but never a token read', () => {
    expect(onApprovals('record-approval-timeout')).toEqual([
      records(),
      pendingIndex(),
      { Action: 'dynamodb:DeleteItem', Effect: 'Allow', Resource: tableArn(), Condition: keys('token#*') },
    ]);
  });

  it('returns token reads only to approve and concurrency-guard, each under a LeadingKeys condition', () => {
    // Arrange
    const everyone: GrantedFunction[] = [...TASKS.map((t) => t.name), 'approve'];

    // Act
    const readers = everyone.filter((fn) =>
      onApprovals(fn).some(
        (s) => actionsOf(s).includes('dynamodb:GetItem') && JSON.stringify(s.Condition).includes('token#*'),
      ),
    );
    const unconditioned = everyone.flatMap((fn) =>
      onApprovals(fn).filter(
        (s) => s.Condition === undefined && !actionsOf(s).every((a) => a === 'dynamodb:Query'),
      ),
    );

    // Assert
    expect(readers.sort()).toEqual(['approve', 'concurrency-guard']);
    expect(unconditioned).toEqual([]);
  });

  it('returns SendTaskSuccess/Failure (on *) to approve, request-approval, the guard and the run-end release only', () => {
    // Arrange: every identity policy in the template, with the roles, users or groups it is attached to
    const policies = Object.entries(resources).filter(([, r]) =>
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].includes(r.Type),
    );
    const inlineRolePolicies = Object.entries(resources).filter(
      ([, r]) => r.Type === 'AWS::IAM::Role' && r.Properties.Policies,
    );

    // Act
    const holders = policies
      .filter(([, r]) =>
        (r.Properties.PolicyDocument.Statement as Json[]).some((s) =>
          actionsOf(s).some((a) => /^states:(SendTask|\*)|^\*$/.test(a)),
        ),
      )
      .flatMap(([id, r]) => {
        if (r.Type === 'AWS::IAM::ManagedPolicy') return [`managed policy ${id}`];
        if (r.Properties.Users || r.Properties.Groups) return [`user or group policy ${id}`];
        return (r.Properties.Roles as Json[]).map((x) => x.Ref as string);
      });

    // Assert
    expect(holders.sort()).toEqual(
      [
        roleId('approve'),
        roleId('request-approval'),
        roleId('concurrency-guard'),
        roleId('release-ended-run'),
      ].sort(),
    );
    expect(inlineRolePolicies).toEqual([]);
    expect(
      Object.values(resources).filter((r) => ['AWS::IAM::User', 'AWS::IAM::Group'].includes(r.Type)),
    ).toEqual([]);
    for (const fn of ['approve', 'request-approval', 'concurrency-guard', 'release-ended-run'] as const) {
      const callback = dataStatements(fn).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('states:SendTask')),
      );
      expect(callback).toEqual([
        {
          Action: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          Effect: 'Allow',
          // No resource-level permissions for task callbacks (Service Authorization Reference).
          Resource: '*',
        },
      ]);
    }
  });

  it('returns DescribeExecution on the pipeline runs to approve (to refuse a vote on an ended run) and to the lock functions (to verify a holder) only', () => {
    // Arrange
    const everyone: GrantedFunction[] = [...TASKS.map((t) => t.name), 'approve', 'release-ended-run'];
    // Act
    const readers = everyone.filter((fn) =>
      dataStatements(fn).some((s) => actionsOf(s).includes('states:DescribeExecution')),
    );
    const grant = dataStatements('approve').filter((s) => actionsOf(s).includes('states:DescribeExecution'));
    // Assert
    expect(readers.sort()).toEqual(['approve', 'concurrency-guard', 'release-ended-run']);
    expect(grant).toEqual([
      {
        Action: 'states:DescribeExecution',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:',
              { 'Fn::GetAtt': [machineId, 'Name'] },
              ':*',
            ],
          ],
        },
      },
    ]);
  });

  it('returns the callback grant in a policy of its own, so the function does not wait on the state machine', () => {
    // Arrange
    const fnId = built.stack.getLogicalId(
      built.stack.pipeline.functions['request-approval'].function.node.defaultChild as never,
    );

    // Act
    const [policyId] = Object.entries(resources).find(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.PolicyDocument).includes('SendTaskSuccess') &&
        r.Properties.Roles.some((x: Json) => x.Ref === roleId('request-approval')),
    )!;

    // Assert
    expect(policyId).toMatch(/TaskCallback/);
    expect([resources[fnId].DependsOn ?? []].flat()).not.toContain(policyId);
  });

  it('returns sns:Publish on the notice topic and its key only to request-approval', () => {
    // Arrange
    const topicId = built.stack.getLogicalId(built.stack.pipeline.approvals.topic.node.defaultChild as never);
    const keyId = built.stack.getLogicalId(
      built.stack.pipeline.approvals.topicKey.node.defaultChild as never,
    );
    const everyone: GrantedFunction[] = [...TASKS.map((t) => t.name), 'approve'];

    // Act
    const publishers = everyone.filter((fn) =>
      dataStatements(fn).some((s) => actionsOf(s).includes('sns:Publish')),
    );
    const notify = dataStatements('request-approval').filter((s) =>
      actionsOf(s).some((a) => /^(sns|kms):/.test(a)),
    );

    // Assert
    expect(publishers).toEqual(['request-approval']);
    expect(notify).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    ]);
  });

  it('returns concurrency-guard the lock table, pending approvals, token reads, callbacks and ledger appends', () => {
    // Act
    const services = new Set(
      dataStatements('concurrency-guard').flatMap((s) => actionsOf(s).map((a) => a.split(':')[0])),
    );

    // Assert
    expect([...services].sort()).toEqual(['dynamodb', 's3', 'states']);
    expect(dataStatements('concurrency-guard')).toContainEqual({
      Action: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:Scan',
      ],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/Locks/), 'Arn'] },
    });
  });
});
