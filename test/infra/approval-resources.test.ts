import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { configDigest } from '../../functions/shared/wiring/env.js';
import { TASKS } from '../../functions/task-registry.js';
import { StackOutput } from '../../infra/tollgate-stack.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  type BuiltStack,
  buildStack,
  statementsOfRole,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

describe('TollgatePipeline approval resources', () => {
  let built: BuiltStack;
  let resources: Record<string, Json>;
  const idOf = (construct: { node: { defaultChild?: unknown } }) =>
    built.stack.getLogicalId(construct.node.defaultChild as never);

  beforeAll(() => {
    built = buildStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS });
    resources = built.template.toJSON().Resources;
  });

  it('returns an on-demand approvals table keyed on pk with TTL on ttl, PITR and KMS encryption', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: Match.anyValue(),
    });
  });

  it('returns a pending index on pending/requestedAt that projects the record but never the token', () => {
    // Act
    const table = resources[idOf(built.stack.pipeline.approvals.table)].Properties;

    // Assert
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'pending', AttributeType: 'S' },
        { AttributeName: 'requestedAt', AttributeType: 'S' },
      ]),
    );
    expect(table.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'pending',
        KeySchema: [
          { AttributeName: 'pending', KeyType: 'HASH' },
          { AttributeName: 'requestedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['record', 'revision'] },
      },
    ]);
  });

  it('returns a notice topic encrypted with a rotating key and a policy refusing non-TLS publishers', () => {
    // Arrange
    const topicId = idOf(built.stack.pipeline.approvals.topic);
    const keyId = idOf(built.stack.pipeline.approvals.topicKey);

    // Assert
    expect(resources[topicId].Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(resources[keyId].Properties.EnableKeyRotation).toBe(true);
    built.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('returns the approve function behind an AWS_IAM function URL, and no public URL for it', () => {
    // Arrange
    const fnId = idOf(built.stack.pipeline.approve.handler.function);

    // Act
    const urls = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Url' && r.Properties.TargetFunctionArn['Fn::GetAtt'][0] === fnId,
    );
    const permissions = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName).includes(fnId),
    );

    // Assert
    expect(urls.map((u) => u.Properties.AuthType)).toEqual(['AWS_IAM']);
    expect(permissions).toEqual([]);
    expect(resources[fnId].Properties).toMatchObject({
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Environment: {
        Variables: {
          TOLLGATE_CONFIG_SHA256: configDigest(JSON.stringify(auroraConfigInput())),
          TOLLGATE_LEDGER_BUCKET: { Ref: expect.stringMatching(/Ledger/) },
          TOLLGATE_APPROVALS_TABLE: { Ref: idOf(built.stack.pipeline.approvals.table) },
        },
      },
    });
  });

  it('returns an approver policy that allows InvokeFunction only through the URL', () => {
    // Arrange
    const fnArn = { 'Fn::GetAtt': [idOf(built.stack.pipeline.approve.handler.function), 'Arn'] };

    // Act
    const policy = resources[idOf(built.stack.pipeline.approve.approverPolicy)];

    // Assert
    expect(policy.Type).toBe('AWS::IAM::ManagedPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: 'lambda:InvokeFunctionUrl',
        Effect: 'Allow',
        Resource: fnArn,
        Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
      },
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: fnArn,
        Condition: { Bool: { 'lambda:InvokedViaFunctionUrl': 'true' } },
      },
    ]);
  });

  it('returns every task function with the notice topic, approvals table and database secrets map', () => {
    // Arrange
    const topicId = idOf(built.stack.pipeline.approvals.topic);
    const tableId = idOf(built.stack.pipeline.approvals.table);

    // Assert
    for (const task of TASKS) {
      const variables =
        resources[idOf(built.stack.pipeline.functions[task.name].function)].Properties.Environment.Variables;
      expect(variables).toMatchObject({
        TOLLGATE_NOTIFY_TOPIC_ARN: { Ref: topicId },
        TOLLGATE_APPROVALS_TABLE: { Ref: tableId },
      });
      expect(JSON.parse(variables.TOLLGATE_DATABASE_SECRETS)).toEqual(AURORA_SECRETS);
    }
  });

  it('returns outputs for the approve URL, the approver policy, the approvals table and the topic', () => {
    // Act
    const outputs = built.template.toJSON().Outputs as Record<string, Json>;
    const resolve = (v: unknown) => Stack.of(built.stack).resolve(v);

    // Assert
    expect(outputs[StackOutput.ApproveUrl].Value).toEqual(resolve(built.stack.pipeline.approve.url.url));
    expect(outputs[StackOutput.ApprovalsTableName].Value).toEqual({
      Ref: idOf(built.stack.pipeline.approvals.table),
    });
    expect(outputs[StackOutput.NotifyTopicArn].Value).toEqual({
      Ref: idOf(built.stack.pipeline.approvals.topic),
    });
    expect(outputs[StackOutput.ApproverPolicyArn].Value).toEqual({
      Ref: idOf(built.stack.pipeline.approve.approverPolicy),
    });
  });

  it("returns an approve role limited to approvals, tokens, ledger appends, the task callback and its runs' state", () => {
    // Arrange
    const roleId = built.stack.getLogicalId(
      built.stack.pipeline.approve.handler.role.node.defaultChild as never,
    );

    // Act
    const actions = statementsOfRole(resources, roleId)
      .flatMap((s: Json) => [s.Action].flat() as string[])
      .filter((a) => !/^(logs|xray):/.test(a));

    // Assert
    expect([...new Set(actions)].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectRetention',
      'states:DescribeExecution',
      'states:SendTaskFailure',
      'states:SendTaskSuccess',
    ]);
  });
});
