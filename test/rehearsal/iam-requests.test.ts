import { describe, expect, it } from 'vitest';
import { IamChecker } from '../support/rehearsal/iam-check.js';
import { iamRequestsOf, type WireRequest } from '../support/rehearsal/iam-requests.js';
import { readTemplate } from '../support/rehearsal/template-model.js';

const lookups = { secretArn: async (id: string) => id };

function jsonRequest(service: string, target: string, body: unknown): WireRequest {
  return {
    service,
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** A one-role template: the shape CDK synthesizes (role + AWS::IAM::Policy attached by Ref). */
function templateWith(statements: unknown[]) {
  return {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Version: '2012-10-17', Statement: statements },
        },
      },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: { DefinitionString: '{}', RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
      },
    },
  };
}

describe('iamRequestsOf', () => {
  it('adds ecs:TagResource with ecs:CreateAction and iam:PassRole when a tagged task definition names roles', async () => {
    // Arrange
    const req = jsonRequest('ecs', 'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition', {
      family: 'orders-test',
      taskRoleArn: 'arn:aws:iam::123456789012:role/orders-service-task',
      containerDefinitions: [],
      tags: [{ key: 'tollgate:release', value: 'v1' }],
    });
    // Act
    const requests = await iamRequestsOf(req, lookups);
    // Assert
    expect(requests.map((r) => r.action)).toEqual([
      'ecs:RegisterTaskDefinition',
      'ecs:TagResource',
      'iam:PassRole',
    ]);
    expect(requests[1].context).toMatchObject({ 'ecs:CreateAction': 'RegisterTaskDefinition' });
    expect(requests[2].context).toEqual({ 'iam:PassedToService': 'ecs-tasks.amazonaws.com' });
  });

  it('names each table a transaction writes, with the per-item action', async () => {
    // Arrange
    const req = jsonRequest('dynamodb', 'DynamoDB_20120810.TransactWriteItems', {
      TransactItems: [{ Put: { TableName: 'locks' } }, { ConditionCheck: { TableName: 'locks' } }],
    });
    // Act
    const requests = await iamRequestsOf(req, lookups);
    // Assert
    expect(requests.map((r) => `${r.action} ${r.resource}`)).toEqual([
      'dynamodb:PutItem arn:aws:dynamodb:us-east-1:123456789012:table/locks',
      'dynamodb:ConditionCheckItem arn:aws:dynamodb:us-east-1:123456789012:table/locks',
    ]);
  });
});

describe('IamChecker', () => {
  it('denies tag-on-create when the role may register task definitions but not tag them', async () => {
    // Arrange
    const model = readTemplate(
      templateWith([{ Effect: 'Allow', Action: ['ecs:RegisterTaskDefinition'], Resource: '*' }]),
    );
    const iam = new IamChecker(model);
    const role = model.stateMachine.roleArn;
    // Act
    const register = await iam.check('deploy', role, { action: 'ecs:RegisterTaskDefinition', resource: '*' });
    const tag = await iam.check('deploy', role, {
      action: 'ecs:TagResource',
      resource: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-test:*',
      context: { 'ecs:CreateAction': 'RegisterTaskDefinition' },
    });
    // Assert
    expect(register.decision).toBe('Allowed');
    expect(tag.decision).toBe('Denied');
    expect(iam.denied().map((c) => c.action)).toEqual(['ecs:TagResource']);
  });
});
