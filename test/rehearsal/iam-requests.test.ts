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

describe('iamRequestsOf for test stages', () => {
  it("authorizes StartBuild and BatchGetBuilds on the builds' project", async () => {
    // Arrange
    const start = jsonRequest('codebuild', 'CodeBuild_20161006.StartBuild', { projectName: 'orders-tests' });
    const get = jsonRequest('codebuild', 'CodeBuild_20161006.BatchGetBuilds', {
      ids: [
        'orders-tests:0b6d2c4e-1111-4222-8333-444455556666',
        'orders-tests:1b6d2c4e-1111-4222-8333-444455556666',
      ],
    });
    // Act
    const requests = [...(await iamRequestsOf(start, lookups)), ...(await iamRequestsOf(get, lookups))];
    // Assert
    expect(requests.map((r) => `${r.action} ${r.resource}`)).toEqual([
      'codebuild:StartBuild arn:aws:codebuild:us-east-1:123456789012:project/orders-tests',
      'codebuild:BatchGetBuilds arn:aws:codebuild:us-east-1:123456789012:project/orders-tests',
    ]);
  });

  it('gives a listing its prefix as s3:prefix, which a grant kept to tests/ allows and nothing else', async () => {
    // Arrange
    const list = (prefix: string): WireRequest => ({
      service: 's3',
      method: 'GET',
      path: '/artifacts',
      query: new URLSearchParams({ 'list-type': '2', prefix }),
      headers: {},
      body: Buffer.alloc(0),
    });
    const model = readTemplate(
      templateWith([
        {
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::artifacts',
          Condition: { StringLike: { 's3:prefix': ['tests/*'] } },
        },
      ]),
    );
    const iam = new IamChecker(model);
    const role = model.stateMachine.roleArn;
    // Act
    const [inside] = await iamRequestsOf(list('tests/0b6d/'), lookups);
    const [outside] = await iamRequestsOf(list('blobs/'), lookups);
    // Assert
    expect(inside!.context).toEqual({ 's3:prefix': 'tests/0b6d/' });
    expect((await iam.check('run-tests', role, inside!)).decision).toBe('Allowed');
    expect((await iam.check('run-tests', role, outside!)).decision).toBe('Denied');
  });
});

describe('iamRequestsOf for canary traffic', () => {
  const rule =
    'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';
  const elbRequest = (params: Record<string, string>): WireRequest => ({
    service: 'elasticloadbalancing',
    method: 'POST',
    path: '/',
    query: new URLSearchParams(),
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: Buffer.from(new URLSearchParams({ Version: '2015-12-01', ...params }).toString()),
  });

  it('authorizes ModifyRule on the rule it names and DescribeRules on any resource', async () => {
    // Arrange
    const modify = elbRequest({ Action: 'ModifyRule', RuleArn: rule });
    const describeRules = elbRequest({ Action: 'DescribeRules', 'RuleArns.member.1': rule });
    // Act
    const requests = [
      ...(await iamRequestsOf(modify, lookups)),
      ...(await iamRequestsOf(describeRules, lookups)),
    ];
    // Assert
    expect(requests).toEqual([
      { action: 'elasticloadbalancing:ModifyRule', resource: rule },
      { action: 'elasticloadbalancing:DescribeRules', resource: '*' },
    ]);
  });

  it('denies ModifyRule on a rule other than the one granted', async () => {
    // Arrange
    const model = readTemplate(
      templateWith([{ Effect: 'Allow', Action: 'elasticloadbalancing:ModifyRule', Resource: rule }]),
    );
    const iam = new IamChecker(model);
    const other = rule.replace('9683b2d02a6cabee', '0000000000000000');
    // Act
    const [granted] = await iamRequestsOf(elbRequest({ Action: 'ModifyRule', RuleArn: rule }), lookups);
    const [elsewhere] = await iamRequestsOf(elbRequest({ Action: 'ModifyRule', RuleArn: other }), lookups);
    const allowed = await iam.check('shift-traffic', model.stateMachine.roleArn, granted!);
    const denied = await iam.check('shift-traffic', model.stateMachine.roleArn, elsewhere!);
    // Assert
    expect(allowed.decision).toBe('Allowed');
    expect(denied.decision).toBe('Denied');
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
