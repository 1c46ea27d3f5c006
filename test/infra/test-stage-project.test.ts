import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config/index.js';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { testStageProjectName } from '../../functions/shared/test-stage-project.js';
import type { TollgateStack } from '../../infra/tollgate-stack.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  buildNetworkedStack,
  buildStack,
  ecsConfigInput,
  statementsOfRole,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const SYNTH_MS = 120_000;
const INTEGRATION = {
  name: 'integration',
  run: 'npm run test:integration',
  junit: 'reports/*.xml',
  timeout: '15m',
};

/** The Aurora config with an integration suite in staging (which has a database) and a perf check in prod. */
function withTests(): TollgateConfigInput {
  const config = auroraConfigInput();
  config.environments[0] = { ...config.environments[0]!, tests: [INTEGRATION] };
  config.environments[1] = {
    ...config.environments[1]!,
    tests: [
      { name: 'perf', run: 'node perf.mjs', thresholds: [{ metric: 'p95', max: 200, file: 'perf.json' }] },
    ],
  };
  return config;
}

function roleOf(stack: TollgateStack, template: Template, task: 'run-tests' | 'smoke-test'): Json[] {
  const role = stack.getLogicalId(stack.pipeline.functions[task].role.node.defaultChild as CfnRole);
  return statementsOfRole(template.toJSON().Resources, role);
}

const actionsOf = (statements: Json[]) => statements.flatMap((s) => [s.Action].flat());

describe('TollgateStack with test stages', () => {
  let stack: TollgateStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = buildNetworkedStack(withTests(), { databaseSecrets: AURORA_SECRETS }));
  }, SYNTH_MS);

  it('describes every security group and rule in the characters EC2 accepts there (no apostrophes)', () => {
    // Arrange: EC2's pattern for GroupDescription and rule descriptions; CloudFormation fails the
    // stack on anything else, which synth alone only warns about.
    const allowed = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;
    const resources = Object.values(template.toJSON().Resources as Record<string, Json>);

    // Act
    const texts = resources.flatMap((r) => {
      const p = r.Properties ?? {};
      if (r.Type === 'AWS::EC2::SecurityGroup')
        return [
          p.GroupDescription,
          ...[...(p.SecurityGroupIngress ?? []), ...(p.SecurityGroupEgress ?? [])].map(
            (x: Json) => x.Description,
          ),
        ];
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' || r.Type === 'AWS::EC2::SecurityGroupEgress')
        return [p.Description];
      return [];
    });
    const strings = texts.filter((t): t is string => typeof t === 'string');

    // Assert
    expect(strings.length).toBeGreaterThan(3);
    expect(strings.filter((t) => !allowed.test(t))).toEqual([]);
  });

  it('creates one test-stage project in the data network, whose buildspec runs the driver on the release', () => {
    // Assert
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: 'orders-tests',
      Source: { Type: 'NO_SOURCE', BuildSpec: Match.stringLikeRegexp('run-test-stages\\.mjs') },
      VpcConfig: { VpcId: 'vpc-0a1b2c3d', Subnets: ['subnet-0aaa', 'subnet-0bbb'] },
      Environment: Match.objectLike({
        EnvironmentVariables: [Match.objectLike({ Name: 'TOLLGATE_ARTIFACT_BUCKET' })],
      }),
    });
    const project = Object.values(template.findResources('AWS::CodeBuild::Project')).find(
      (p) => p.Properties.Name === 'orders-tests',
    )!;
    const spec = JSON.parse(project.Properties.Source.BuildSpec);
    const commands: string[] = spec.phases.build.commands;
    expect(commands.join('\n')).toContain('sha256sum --check');
    expect(commands.at(-1)).toMatch(/^node "\$TOLLGATE_WORK\/run-test-stages\.mjs"/);
  });

  it("admits the builds to the databases' security group on the database port", () => {
    // Assert
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: 'sg-0db0db0db',
      FromPort: 5432,
      ToPort: 5432,
      Description: 'Tollgate test stages to the environment databases',
    });
  });

  it('lets run-tests start and read builds of that project only, and read and write under tests/ only', () => {
    // Act
    const statements = roleOf(stack, template, 'run-tests');

    // Assert
    const codebuild = statements.find((s) => [s.Action].flat().includes('codebuild:StartBuild'))!;
    expect([codebuild.Action].flat().sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild']);
    expect(JSON.stringify(codebuild.Resource)).toMatch(/TestStagesProject.*Arn/);
    const objects = statements.find((s) => [s.Action].flat().includes('s3:PutObject'))!;
    expect(JSON.stringify(objects.Resource)).toContain('/tests/*');
    const list = statements.find((s) => [s.Action].flat().includes('s3:ListBucket'))!;
    expect(list.Condition).toEqual({ StringLike: { 's3:prefix': ['tests/*'] } });
    // Besides the function's own logs and traces, nothing else.
    expect(actionsOf(statements).filter((a) => !/^(codebuild|s3|logs|xray):/.test(a))).toEqual([]);
  });

  it("gives the project the releases to read, tests/ to write and the secret of each tested environment's database", () => {
    // Arrange
    const role = stack.getLogicalId(stack.pipeline.testStages!.project.role!.node.defaultChild as CfnRole);

    // Act
    const statements = statementsOfRole(template.toJSON().Resources, role);

    // Assert
    const get = statements.find(
      (s) => s.Action === 's3:GetObject' && JSON.stringify(s.Resource).includes('blobs'),
    );
    expect(JSON.stringify(get?.Resource)).toContain('/blobs/sha256/*');
    const put = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put?.Resource)).toContain('/tests/*');
    const secrets = statements.find((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(JSON.stringify(secrets?.Resource)).toContain(AURORA_SECRETS.staging);
    expect(JSON.stringify(secrets?.Resource)).toContain('orders/prod-db-??????');
  });

  it('names the project as run-tests finds it, from the config alone', () => {
    // Assert
    expect(stack.pipeline.testStages!.project.node.defaultChild).toMatchObject({
      name: testStageProjectName(parseConfig(withTests())),
    });
  });

  it('has zero unsuppressed cdk-nag findings', () => {
    // Assert
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect([...errors, ...warnings].map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
  });
});

describe('TollgateStack without test stages', () => {
  it(
    'creates no test-stage project and grants run-tests nothing',
    () => {
      // Act
      const { stack, template } = buildStack(ecsConfigInput());

      // Assert
      const names = Object.values(template.findResources('AWS::CodeBuild::Project')).map(
        (p) => p.Properties.Name,
      );
      expect(names).toEqual(['orders-build']);
      expect(stack.pipeline.testStages).toBeUndefined();
      expect(
        roleOf(stack, template, 'run-tests').filter((s) => /codebuild|s3/.test(JSON.stringify(s.Action))),
      ).toEqual([]);
    },
    SYNTH_MS,
  );

  it(
    "synthesizes a verify window: its rounds run in the smoke-test function, which needs no grant beyond the environment's URL",
    () => {
      // Arrange
      const config = ecsConfigInput();
      config.environments[0] = {
        ...config.environments[0]!,
        verify: { for: '10m', every: '1m', checks: [{ name: 'health', path: '/health' }] },
      };

      // Act
      const { template } = buildStack(config);

      // Assert
      const machines = template.findResources('AWS::StepFunctions::StateMachine');
      expect(JSON.stringify(machines)).toContain('WaitToVerify');
    },
    SYNTH_MS,
  );
});

describe('TollgateStack with test stages and no network', () => {
  it(
    'runs the builds outside any VPC (public URLs only) and still passes cdk-nag',
    () => {
      // Arrange
      const config = ecsConfigInput();
      config.environments[0] = { ...config.environments[0]!, tests: [INTEGRATION] };

      // Act
      const { stack, template } = buildStack(config);

      // Assert
      const project = Object.values(template.findResources('AWS::CodeBuild::Project')).find(
        (p) => p.Properties.Name === 'orders-tests',
      )!;
      expect(project.Properties.VpcConfig).toBeUndefined();
      const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
      expect(errors.map((e) => e.id)).toEqual([]);
    },
    SYNTH_MS,
  );
});
