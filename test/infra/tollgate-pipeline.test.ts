import { readFileSync } from 'node:fs';
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import { configDigest } from '../../functions/shared/wiring/env.js';
import { TASKS } from '../../functions/task-registry.js';
import { codeCommitPattern, commitPushedPattern } from '../../infra/event-patterns.js';
import { DEFAULT_DEFINITION_PATH } from '../../infra/repo-paths.js';
import { placeholdersIn } from '../../statemachines/placeholders.js';
import { type BuiltStack, buildStack, ecsConfig, ecsConfigInput } from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

describe('TollgatePipeline', () => {
  let built: BuiltStack;
  let resources: Record<string, Json>;
  const fnLogicalId = (task: string) => {
    const fn = built.stack.pipeline.functions[task as keyof typeof built.stack.pipeline.functions];
    return built.stack.getLogicalId(fn.function.node.defaultChild as CfnFunction);
  };
  const policyOf = (roleLogicalId: string) =>
    Object.values(resources)
      .filter(
        (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === roleLogicalId),
      )
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Json[]);
  const roleOfFunction = (task: string) =>
    resources[fnLogicalId(task)].Properties.Role['Fn::GetAtt'][0] as string;

  beforeAll(() => {
    built = buildStack();
    resources = built.template.toJSON().Resources;
  });

  it('returns a STANDARD state machine whose definition is the ASL file, inline', () => {
    // Arrange
    const asl = JSON.parse(readFileSync(DEFAULT_DEFINITION_PATH, 'utf8'));

    // Assert
    built.template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      DefinitionString: Match.serializedJson(
        Match.objectLike({
          QueryLanguage: 'JSONata',
          StartAt: asl.StartAt,
          States: Match.objectLike({ Build: Match.objectLike({ Resource: `$${'{'}BuildResource}` }) }),
        }),
      ),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('returns substitutions binding every ASL placeholder, each Lambda placeholder to its function ARN', () => {
    // Arrange
    const [machine] = Object.values(built.template.findResources('AWS::StepFunctions::StateMachine'));
    const substitutions = machine.Properties.DefinitionSubstitutions as Json;
    const used = placeholdersIn(readFileSync(DEFAULT_DEFINITION_PATH, 'utf8'));

    // Assert: the stack also binds the Lambda integrations (arn:aws:states:::… in the ASL) in its partition
    expect(Object.keys(substitutions).sort()).toEqual(
      [...used, 'LambdaInvokeResource', 'LambdaInvokeWaitForTaskTokenResource'].sort(),
    );
    expect(substitutions.LambdaInvokeResource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke']],
    });
    for (const task of TASKS.filter((t) => used.includes(t.placeholder))) {
      expect(substitutions[task.placeholder]).toEqual({ 'Fn::GetAtt': [fnLogicalId(task.name), 'Arn'] });
    }
    expect(substitutions.BuildResource).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:::codebuild:startBuild.sync']],
    });
  });

  it('returns a state machine role that may invoke exactly the task functions', () => {
    // Arrange
    const [machine] = Object.values(built.template.findResources('AWS::StepFunctions::StateMachine'));
    const statements = policyOf(machine.Properties.RoleArn['Fn::GetAtt'][0]);

    // Act
    const invoke = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('lambda:')));

    // Assert
    expect(invoke).toHaveLength(1);
    expect(invoke[0].Action).toBe('lambda:InvokeFunction');
    expect(invoke[0].Resource).toEqual(TASKS.map((t) => ({ 'Fn::GetAtt': [fnLogicalId(t.name), 'Arn'] })));
  });

  it('returns the CodeBuild .sync permissions on the project and the managed rule', () => {
    // Arrange
    const [machine] = Object.values(built.template.findResources('AWS::StepFunctions::StateMachine'));
    const statements = policyOf(machine.Properties.RoleArn['Fn::GetAtt'][0]);
    const project = built.stack.getLogicalId(built.stack.pipeline.build.project.node.defaultChild as never);

    // Assert
    expect(statements).toContainEqual({
      Action: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:BatchGetBuilds'],
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [project, 'Arn'] },
    });
    const reports = statements.find((s) => s.Action === 'codebuild:BatchGetReports');
    expect(JSON.stringify(reports?.Resource)).toContain(':report-group/orders-build-*');
    const rule = statements.find((s) => [s.Action].flat().includes('events:PutRule'));
    expect(rule?.Action).toEqual(['events:PutTargets', 'events:PutRule', 'events:DescribeRule']);
    expect(JSON.stringify(rule?.Resource)).toContain(':rule/StepFunctionsGetEventForCodeBuildStartBuildRule');
  });

  it('returns one Node 22 arm64 function per task with the config and store names in its environment', () => {
    // Arrange
    const input = ecsConfigInput();

    // Assert
    for (const task of TASKS) {
      const props = resources[fnLogicalId(task.name)].Properties;
      expect(props).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
      });
      // The functions run the same schema on it, so it must be the input form, not the parsed output.
      const text = built.stack.pipeline.functions[task.name].config!;
      expect(props.Environment.Variables.TOLLGATE_CONFIG_SHA256).toBe(configDigest(text));
      const carried = JSON.parse(text);
      expect(carried).toEqual(input);
      expect(parseConfig(carried)).toEqual(ecsConfig());
      expect(props.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        TOLLGATE_ARTIFACT_BUCKET: { Ref: expect.stringMatching(/Artifacts/) },
        TOLLGATE_LEDGER_BUCKET: { Ref: expect.stringMatching(/Ledger/) },
        TOLLGATE_LOCK_TABLE: { Ref: expect.stringMatching(/Locks/) },
        TOLLGATE_IMAGE_REPOSITORY: { Ref: expect.stringMatching(/Images/) },
      });
      expect(props.LoggingConfig.LogGroup).toEqual({ Ref: expect.stringMatching(/Logs/) });
    }
  });

  it('returns a distinct role per function', () => {
    const roles = new Set(TASKS.map((t) => roleOfFunction(t.name)));
    expect(roles.size).toBe(TASKS.length);
  });

  it('returns lock table grants limited to item reads and writes and a Scan of its waiters, and only to concurrency-guard', () => {
    // Act
    const holders = TASKS.map((t) => t.name).filter((task) =>
      JSON.stringify(policyOf(roleOfFunction(task))).includes('Locks'),
    );
    const statements = policyOf(roleOfFunction('concurrency-guard'));

    // Assert: request-approval only reads the lock record (was its run superseded?)
    expect(holders).toEqual(['concurrency-guard', 'request-approval']);
    expect(
      policyOf(roleOfFunction('request-approval')).filter((s) =>
        JSON.stringify(s.Resource).includes('Locks'),
      ),
    ).toEqual([
      {
        Action: 'dynamodb:GetItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['guard-*'] } },
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/Locks/), 'Arn'] },
      },
    ]);
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes('Locks'))).toEqual([
      {
        Action: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:DeleteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:Scan',
        ],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/Locks/), 'Arn'] },
      },
    ]);
  });

  it('returns register-release S3 deletes only under the multipart staging prefix', () => {
    // Act
    const statements = policyOf(roleOfFunction('register-release'));

    // Assert
    const deletes = statements.filter((s) => [s.Action].flat().includes('s3:DeleteObject'));
    expect(deletes).toHaveLength(1);
    expect(JSON.stringify(deletes[0].Resource)).toMatch(/Artifacts[^"]*","Arn"\]\},"\/\.staging\/\*"/);
  });

  it('returns record-run ledger appends with Object Lock retention and nothing on the artifact bucket', () => {
    // Act
    const statements = policyOf(roleOfFunction('record-run')).filter(
      (s) => !JSON.stringify(s.Action).match(/logs:|xray:/),
    );

    // Assert
    expect(statements.map((s) => s.Action)).toEqual([
      ['s3:GetObject', 's3:PutObject', 's3:PutObjectRetention'],
      's3:ListBucket',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/Artifacts/);
  });

  it('returns smoke-test without any data-plane grant', () => {
    const actions = policyOf(roleOfFunction('smoke-test')).flatMap((s) => [s.Action].flat());
    expect(actions.sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it('lets plan-run ask CodeCommit about commits of the source repository, and nothing else', () => {
    // Act
    const statements = policyOf(roleOfFunction('plan-run')).filter(
      (s) => !/logs:|xray:/.test(JSON.stringify(s.Action)),
    );
    const variables = resources[fnLogicalId('plan-run')].Properties.Environment.Variables;
    // Assert
    expect(statements).toEqual([
      {
        Action: 'codecommit:GetCommit',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':codecommit:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':orders-service',
            ],
          ],
        },
      },
    ]);
    expect(variables.TOLLGATE_SOURCE_KIND).toBe('codecommit');
    expect(variables.TOLLGATE_PUSH_WEBHOOK_SECRET_ARN).toBeUndefined();
  });

  it('returns ECS update and PassRole only to ecs-tasks for deploy and rollback, describe only for poll', () => {
    // Arrange
    const actionsOf = (task: string) => {
      const role = roleOfFunction(task);
      const extra = Object.values(resources).filter(
        (r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: Json) => x.Ref === role),
      );
      return extra.flatMap((r) => r.Properties.PolicyDocument.Statement as Json[]);
    };

    // Act
    const deploy = actionsOf('deploy');
    const poll = actionsOf('poll-deployment').flatMap((s) => [s.Action].flat());

    // Assert
    const passRole = deploy.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
    });
    expect(
      JSON.stringify(deploy.find((s) => [s.Action].flat().includes('ecs:UpdateService'))?.Resource),
    ).toContain(':service/apps/orders-staging');
    expect(actionsOf('rollback').some((s) => [s.Action].flat().includes('ecs:UpdateService'))).toBe(true);
    expect(poll).toContain('ecs:DescribeServices');
    expect(poll).not.toContain('ecs:UpdateService');
    expect(poll).not.toContain('iam:PassRole');
  });

  it('returns a webhook that may only PutEvents to the default bus and read only its secret', () => {
    // Arrange
    const webhook = built.stack.pipeline.webhook!;
    const role = built.stack.getLogicalId(webhook.handler.role.node.defaultChild as never);
    const secret = built.stack.getLogicalId(webhook.secret.node.defaultChild as never);

    // Act
    const statements = policyOf(role).filter((s) => !JSON.stringify(s.Action).match(/logs:|xray:/));

    // Assert
    expect(statements).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secret } },
      {
        Action: 'events:PutEvents',
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':events:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':event-bus/default',
            ],
          ],
        },
      },
    ]);
    built.template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
  });

  it('returns rules whose patterns are exactly the shared event-pattern module', () => {
    // Arrange
    const config = ecsConfig();
    const patterns = Object.values(built.template.findResources('AWS::Events::Rule')).map(
      (r) => r.Properties.EventPattern,
    );

    // Assert
    expect(patterns).toContainEqual(commitPushedPattern(config));
    expect(patterns).toContainEqual(codeCommitPattern(config));
    built.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.anyValue() })],
    });
  });

  it('returns versioned, encrypted, private, TLS-only buckets with lifecycle rules and access logs', () => {
    for (const name of ['Artifacts', 'Ledger']) {
      const [logicalId, bucket] = Object.entries(built.template.findResources('AWS::S3::Bucket')).find(
        ([id]) => id.includes(name),
      )!;
      expect(bucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/AccessLogs/) } },
        LifecycleConfiguration: {
          Rules: expect.arrayContaining([
            expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
            expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
          ]),
        },
      });
      built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
    built.template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } },
      },
    });
  });

  it('returns an ECR repository where only env-* tags can move and images are scanned on push', () => {
    built.template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'orders',
      ImageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      ImageTagMutabilityExclusionFilters: [
        {
          ImageTagMutabilityExclusionFilterType: 'WILDCARD',
          ImageTagMutabilityExclusionFilterValue: 'env-*',
        },
      ],
      ImageScanningConfiguration: { ScanOnPush: true },
    });
  });

  it('returns an on-demand lock table with PITR and TTL', () => {
    built.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('returns a build project named as plan-run names it, uploading to the key the ASL passes', () => {
    built.template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'orders-build',
      Source: Match.objectLike({
        Type: 'CODECOMMIT',
        BuildSpec: Match.stringLikeRegexp('TOLLGATE_ARTIFACT_KEY'),
      }),
    });
  });

  it('returns the outputs the CLI reads', () => {
    const outputs = Object.keys(built.template.toJSON().Outputs);
    expect(outputs).toEqual(
      expect.arrayContaining([
        'StateMachineArn',
        'ArtifactBucketName',
        'LedgerBucketName',
        'LockTableName',
        'WebhookUrl',
      ]),
    );
    expect(Stack.of(built.stack).resolve(built.stack.pipeline.stateMachine.stateMachineArn)).toEqual(
      built.template.toJSON().Outputs.StateMachineArn.Value,
    );
  });
});
