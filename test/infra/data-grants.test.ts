import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { TASKS, type TaskName } from '../../functions/task-registry.js';
import { DATA_TASKS } from '../../infra/constructs/tollgate-pipeline.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  type BuiltStack,
  buildNetworkedStack,
  buildStack,
  flashArrayConfigInput,
  statementsOfRole,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const actionsOf = (s: Json): string[] => [s.Action].flat();
const rdsArn = (resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':rds:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      `:${resource}`,
    ],
  ],
});
const secretArns = [
  AURORA_SECRETS.staging,
  {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':secretsmanager:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':secret:orders/prod-db-??????',
      ],
    ],
  },
];

function statementsOf(built: BuiltStack, task: TaskName): Json[] {
  const role = built.stack.getLogicalId(
    built.stack.pipeline.functions[task].role.node.defaultChild as CfnRole,
  );
  return statementsOfRole(built.template.toJSON().Resources, role).filter(
    (s) => !actionsOf(s).every((a) => /^(logs|xray|ec2):/.test(a)),
  );
}

describe('TollgatePipeline data grants with aurora-clone in a VPC', () => {
  let built: BuiltStack;

  beforeAll(() => {
    built = buildNetworkedStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS });
  });

  it('returns refresh-data clone rights on the tg- prefix, the secret switch, and a deny on the source', () => {
    // Act
    const rds = statementsOf(built, 'refresh-data').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('rds:') || a === 'secretsmanager:PutSecretValue'),
    );

    // Assert
    expect(rds).toEqual([
      {
        Action: 'rds:RestoreDBClusterToPointInTime',
        Effect: 'Allow',
        Resource: [rdsArn('cluster:tg-*'), rdsArn('cluster:orders-prod'), rdsArn('subgrp:*')],
      },
      {
        Action: 'rds:CreateDBInstance',
        Effect: 'Allow',
        Resource: [rdsArn('db:tg-*'), rdsArn('cluster:tg-*')],
      },
      {
        Action: ['rds:AddTagsToResource', 'rds:ListTagsForResource'],
        Effect: 'Allow',
        Resource: [rdsArn('cluster:tg-*'), rdsArn('db:tg-*')],
      },
      { Action: 'rds:DeleteDBInstance', Effect: 'Allow', Resource: rdsArn('db:tg-*') },
      { Action: 'rds:DeleteDBCluster', Effect: 'Allow', Resource: rdsArn('cluster:tg-*') },
      { Action: 'rds:DescribeDBClusters', Effect: 'Allow', Resource: rdsArn('cluster:*') },
      { Action: 'rds:DescribeDBInstances', Effect: 'Allow', Resource: rdsArn('db:tg-*') },
      { Action: 'secretsmanager:PutSecretValue', Effect: 'Allow', Resource: secretArns },
      {
        Action: ['rds:DeleteDBCluster', 'rds:ModifyDBCluster'],
        Effect: 'Deny',
        Resource: rdsArn('cluster:orders-prod'),
      },
    ]);
  });

  it('returns read-only secrets and clone describe to mask-data, verify-masking and check-data', () => {
    for (const task of ['mask-data', 'verify-masking', 'check-data'] as const) {
      expect(statementsOf(built, task)).toEqual([
        { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: secretArns },
        { Action: 'rds:DescribeDBClusters', Effect: 'Allow', Resource: rdsArn('cluster:tg-*') },
      ]);
    }
  });

  it('returns migrate-database artifact reads, the ledger append for its schema record and the connection secrets, nothing from RDS', () => {
    // Act
    const actions = statementsOf(built, 'migrate-database').flatMap(actionsOf);

    // Assert: the artifact and ledger buckets' reads both grant GetObject and ListBucket.
    expect([...new Set(actions)].sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
      's3:PutObjectRetention',
      'secretsmanager:GetSecretValue',
    ]);
  });

  it('returns database secrets and RDS rights to no function outside the data tasks', () => {
    // Act
    const holders = TASKS.map((t) => t.name).filter((task) =>
      statementsOf(built, task).some((s) => actionsOf(s).some((a) => /^(rds|secretsmanager):/.test(a))),
    );

    // Assert
    expect(holders.sort()).toEqual([...DATA_TASKS].sort());
  });

  it('returns the data functions in the VPC behind one security group that reaches the database port', () => {
    // Arrange
    const resources = built.template.toJSON().Resources as Record<string, Json>;
    const sgId = built.stack.getLogicalId(
      built.stack.pipeline.dataNetwork!.securityGroup.node.defaultChild as never,
    );
    const vpcConfigOf = (task: TaskName) =>
      resources[
        built.stack.getLogicalId(built.stack.pipeline.functions[task].function.node.defaultChild as never)
      ].Properties.VpcConfig;

    const smokeSgId = built.stack.getLogicalId(
      built.stack.pipeline.smokeNetwork!.securityGroup.node.defaultChild as never,
    );

    // Assert: the smoke tests run in the VPC too, behind their own group (internal URLs).
    for (const task of TASKS.map((t) => t.name)) {
      const group = DATA_TASKS.includes(task) ? sgId : task === 'smoke-test' ? smokeSgId : undefined;
      const expected = group
        ? {
            SubnetIds: ['subnet-0aaa', 'subnet-0bbb'],
            SecurityGroupIds: [{ 'Fn::GetAtt': [group, 'GroupId'] }],
          }
        : undefined;
      expect(vpcConfigOf(task), task).toEqual(expected);
    }
    expect(resources[sgId].Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    built.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0db0db0db',
      SourceSecurityGroupId: { 'Fn::GetAtt': [sgId, 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  it('returns each VPC function waiting on its network-interface policy, which Lambda checks at creation', () => {
    // Arrange
    const resources = built.template.toJSON().Resources as Record<string, Json>;
    const fn = built.stack.pipeline.functions['check-data'];
    const fnId = built.stack.getLogicalId(fn.function.node.defaultChild as never);

    // Act
    const [policyId, policy] = Object.entries(resources).find(
      ([id, r]) =>
        r.Type === 'AWS::IAM::Policy' && id.includes('checkdata') && id.includes('NetworkInterfaces'),
    )!;

    // Assert
    expect(resources[fnId].DependsOn).toContain(policyId);
    expect(actionsOf(policy.Properties.PolicyDocument.Statement[0])).toContain('ec2:CreateNetworkInterface');
  });
});

describe('TollgatePipeline data grants with flasharray', () => {
  it('returns the API token secret to refresh-data and migration-safety alone', () => {
    // Arrange
    const built = buildStack(flashArrayConfigInput(), { databaseSecrets: AURORA_SECRETS });
    const tokenArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':secretsmanager:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':secret:tollgate/flasharray-token-??????',
        ],
      ],
    };

    // Act
    const readers = TASKS.map((t) => t.name).filter((task) =>
      statementsOf(built, task).some((s) => JSON.stringify(s.Resource).includes('flasharray-token')),
    );

    // Assert: migration-safety snapshots prod on the array before its migrations (the checkpoint)
    expect(readers).toEqual(['refresh-data', 'migration-safety']);
    expect(statementsOf(built, 'refresh-data')).toContainEqual({
      Action: 'secretsmanager:GetSecretValue',
      Effect: 'Allow',
      Resource: tokenArn,
    });
    expect(statementsOf(built, 'mask-data').flatMap(actionsOf)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(built.template.toJSON())).not.toMatch(/"rds:/);
  });
});

describe('TollgatePipeline smoke tests in a VPC', () => {
  it("opens only the ports of the environments' and checks' URLs, outbound", () => {
    // Arrange
    const base = auroraConfigInput();
    const config = auroraConfigInput({
      environments: [
        { ...base.environments[0]!, url: 'http://orders-staging.internal.example' },
        { ...base.environments[1]!, url: 'https://orders.internal.example:8443/' },
      ],
      smokeTests: [
        { name: 'health', path: '/health' },
        { name: 'partner', url: 'https://partner.internal.example/ping' },
      ],
    });
    // Act
    const networked = buildNetworkedStack(config, { databaseSecrets: AURORA_SECRETS });
    const resources = networked.template.toJSON().Resources as Record<string, Json>;
    const smokeSgId = networked.stack.getLogicalId(
      networked.stack.pipeline.smokeNetwork!.securityGroup.node.defaultChild as never,
    );
    // Assert
    const egress = (resources[smokeSgId].Properties.SecurityGroupEgress as Json[]).map((r) => [
      r.CidrIp,
      r.FromPort,
      r.ToPort,
    ]);
    expect(egress).toEqual([
      ['0.0.0.0/0', 80, 80],
      ['0.0.0.0/0', 443, 443],
      ['0.0.0.0/0', 8443, 8443],
    ]);
    expect(resources[smokeSgId].Properties.SecurityGroupIngress).toBeUndefined();
  });
});
