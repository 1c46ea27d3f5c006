import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BuiltStack, buildStack } from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

describe('TollgatePipeline run-end rule', () => {
  let built: BuiltStack;
  let resources: Record<string, Json>;

  beforeAll(() => {
    built = buildStack();
    resources = built.template.toJSON().Resources;
  });

  it('sends the pipeline state machine’s ABORTED, TIMED_OUT and FAILED status changes to release-ended-run, with a dead-letter queue', () => {
    // Arrange
    const { pipeline } = built.stack;
    const fnId = built.stack.getLogicalId(pipeline.runEnd.handler.function.node.defaultChild as CfnFunction);
    const machineId = built.stack.getLogicalId(pipeline.stateMachine.node.defaultChild as never);
    // Act / Assert
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: { status: ['ABORTED', 'TIMED_OUT', 'FAILED'], stateMachineArn: [{ Ref: machineId }] },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
          RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        }),
      ],
    });
    built.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });

  it('grants release-ended-run only the lock table, the task callback and DescribeExecution, besides logs and tracing', () => {
    // Arrange
    const { pipeline } = built.stack;
    const roleId = built.stack.getLogicalId(pipeline.runEnd.handler.role.node.defaultChild as never);
    const lockTableId = built.stack.getLogicalId(pipeline.storage.locks.node.defaultChild as never);
    // Act
    const statements = Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[])
      .filter((s) => ![s.Action].flat().every((a: string) => /^(logs|xray):/.test(a)));
    // Assert
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes(lockTableId))).toEqual([
      expect.objectContaining({
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:Scan',
        ],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [lockTableId, 'Arn'] },
      }),
    ]);
    // It wakes the next waiting run (SendTaskSuccess) and checks whether runs still run.
    expect(
      statements
        .flatMap((s) => [s.Action].flat())
        .filter((a: string) => a.startsWith('states:'))
        .sort(),
    ).toEqual(['states:DescribeExecution', 'states:SendTaskFailure', 'states:SendTaskSuccess']);
    expect(statements).toHaveLength(3);
  });

  it('gives release-ended-run the config and the lock table name, nothing else of the pipeline', () => {
    // Arrange
    const { pipeline } = built.stack;
    const fnId = built.stack.getLogicalId(pipeline.runEnd.handler.function.node.defaultChild as CfnFunction);
    // Act
    const variables = Object.keys(resources[fnId]!.Properties.Environment.Variables).sort();
    // Assert
    expect(variables).toEqual(['NODE_OPTIONS', 'TOLLGATE_CONFIG_SHA256', 'TOLLGATE_LOCK_TABLE'].sort());
    expect(pipeline.runEnd.handler.config).toBe(pipeline.functions['plan-run'].config);
  });
});
