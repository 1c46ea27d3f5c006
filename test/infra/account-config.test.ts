import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { configDigest } from '../../functions/shared/wiring/env.js';
import { TASKS, type TaskName } from '../../functions/task-registry.js';
import { loadStackConfig } from '../../infra/config-source.js';
import { DATA_TASKS } from '../../infra/constructs/tollgate-pipeline.js';
import { TollgateStack } from '../../infra/tollgate-stack.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  buildStack,
  flashArrayConfigInput,
  importedNetwork,
  projectRoot,
  statementsOfRole,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

/** Synth of a many-function stack takes tens of seconds on a loaded machine. */
const SYNTH_MS = 300_000;

const CONNECTION =
  'arn:aws:codeconnections:eu-west-1:111122223333:connection/0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';
const ACCOUNT = {
  databaseSecrets: AURORA_SECRETS,
  network: {
    vpcId: 'vpc-0a1b2c3d4e5f60718',
    subnetIds: ['subnet-0aaa1111', 'subnet-0bbb2222'],
    databaseSecurityGroupId: 'sg-0db0db0db0db0db0d',
  },
  buildSource: { type: 'github', owner: 'acme', connectionArn: CONNECTION },
  notificationWebhookSecret: 'tollgate/chat-webhook',
} as const satisfies TollgateConfigInput['aws'];

/** What `npx cdk synth` does (infra/app.ts): load the config file, build the stack from it alone. */
async function synthFromConfigFile(
  config: TollgateConfigInput,
): Promise<{ stack: TollgateStack; template: Template }> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-account-'));
  writeFileSync(join(dir, 'tollgate.config.ts'), `export default ${JSON.stringify(config)};\n`);
  // On a loaded machine the config child may take longer than the CLI's 15 s budget.
  const written = await loadStackConfig(dir, undefined, { timeoutMs: 240_000 });
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollgateStack(app, 'Tollgate', {
    config: written,
    pipeline: { projectRoot: projectRoot() },
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return { stack, template: Template.fromStack(stack) };
}

function roleStatements(stack: TollgateStack, template: Template, task: TaskName): Json[] {
  const role = stack.getLogicalId(stack.pipeline.functions[task].role.node.defaultChild as CfnRole);
  return statementsOfRole(template.toJSON().Resources, role);
}

const grantsSecret = (statements: Json[], secret: string) =>
  statements.some(
    (s) =>
      [s.Action].flat().includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(s.Resource).includes(secret),
  );

describe('TollgateStack from a config with an aws block (aurora-clone, VPC, GitHub, chat webhook)', () => {
  let stack: TollgateStack;
  let template: Template;
  let resources: Json;
  beforeAll(async () => {
    ({ stack, template } = await synthFromConfigFile(auroraConfigInput({ aws: ACCOUNT })));
    resources = template.toJSON().Resources;
  }, SYNTH_MS);

  it('runs every data function (and the smoke tests) in the configured subnets with a group the database group admits', () => {
    // Assert: the data functions plus smoke-test, which reaches internal environment URLs.
    const functions = Object.values<Json>(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const inVpc = functions.filter((f) => f.Properties.VpcConfig);
    expect(inVpc).toHaveLength(DATA_TASKS.length + 1);
    for (const f of inVpc) expect(f.Properties.VpcConfig.SubnetIds).toEqual(ACCOUNT.network.subnetIds);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: ACCOUNT.network.vpcId });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: ACCOUNT.network.databaseSecurityGroupId,
      FromPort: 5432,
      ToPort: 5432,
    });
  });

  it('gives the functions the connection secrets and lets the data functions read them', () => {
    // Assert
    const variables = Object.values<Json>(resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function')
      .map((f) => f.Properties.Environment.Variables);
    for (const v of variables.filter((x) => x.TOLLGATE_DATABASE_SECRETS))
      expect(JSON.parse(v.TOLLGATE_DATABASE_SECRETS)).toEqual(AURORA_SECRETS);
    for (const task of DATA_TASKS)
      expect(grantsSecret(roleStatements(stack, template, task), 'orders/prod-db'), task).toBe(true);
  });

  it('keeps the aws block out of the config the functions carry and validate', () => {
    const planRun = stack.pipeline.functions['plan-run'];
    const variables =
      template.toJSON().Resources[stack.getLogicalId(planRun.function.node.defaultChild as never)].Properties
        .Environment.Variables;
    expect(variables.TOLLGATE_CONFIG_SHA256).toBe(configDigest(planRun.config!));
    const config = JSON.parse(planRun.config!);
    expect(config.aws).toBeUndefined();
    expect(parseConfig(config).name).toBe('orders');
  });

  it('lets plan-run check GitHub commits with the push webhook secret, the attestation key, and nothing else', () => {
    // Act
    const statements = roleStatements(stack, template, 'plan-run').filter(
      (s) => !/logs:|xray:/.test(JSON.stringify(s.Action)),
    );
    const fn = stack.pipeline.functions['plan-run'].function;
    const variables =
      template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment
        .Variables;
    const secret = stack.getLogicalId(stack.pipeline.webhook!.secret.node.defaultChild as never);
    // Assert
    expect(statements).toEqual([
      { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: { Ref: secret } },
    ]);
    expect(variables.TOLLGATE_SOURCE_KIND).toBe('github');
    expect(variables.TOLLGATE_PUSH_WEBHOOK_SECRET_ARN).toEqual({ Ref: secret });
  });

  it('fetches builds from GitHub through the configured connection, which only the build role may use', () => {
    // Assert
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: Match.objectLike({
        Type: 'GITHUB',
        Location: 'https://github.com/acme/orders-service.git',
        Auth: { Type: 'CODECONNECTIONS', Resource: CONNECTION },
      }),
    });
    const connectionUsers = Object.values<Json>(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties).includes(CONNECTION),
    );
    expect(connectionUsers).toHaveLength(1);
    expect(connectionUsers[0].Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining([
          'codeconnections:GetConnectionToken',
          'codeconnections:GetConnection',
        ]),
        Resource: CONNECTION,
      }),
    );
  });

  it('sets the chat webhook secret on request-approval alone and lets only it read the secret', () => {
    // Assert
    for (const task of TASKS.map((t) => t.name)) {
      const fn = stack.pipeline.functions[task].function;
      const variables =
        resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables;
      const statements = roleStatements(stack, template, task);
      const expected = task === 'request-approval';
      expect(variables.TOLLGATE_WEBHOOK_SECRET_ID === ACCOUNT.notificationWebhookSecret, task).toBe(expected);
      expect(grantsSecret(statements, 'tollgate/chat-webhook-??????'), task).toBe(expected);
    }
  });

  it('returns zero unsuppressed cdk-nag findings with the imported network and the GitHub source', () => {
    const nag = Match.stringLikeRegexp('AwsSolutions-.*');
    expect(Annotations.fromStack(stack).findError('*', nag)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', nag)).toEqual([]);
  });

  it('writes every Lambda integration of the definition in the stack partition, none in "aws"', () => {
    // Assert
    const [machine] = Object.values<Json>(resources).filter(
      (r) => r.Type === 'AWS::StepFunctions::StateMachine',
    );
    const definition = JSON.parse(machine.Properties.DefinitionString);
    expect(JSON.stringify(definition)).not.toContain('arn:aws:states:::');
    expect(definition.States.PlanRun.Resource).toBe(`$${'{'}LambdaInvokeResource}`);
    const inPartition = (integration: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:states:::${integration}`]],
    });
    expect(machine.Properties.DefinitionSubstitutions).toMatchObject({
      LambdaInvokeResource: inPartition('lambda:invoke'),
      LambdaInvokeWaitForTaskTokenResource: inPartition('lambda:invoke.waitForTaskToken'),
    });
  });
});

describe('TollgateStack from a FlashArray config with aws.databaseSecrets', () => {
  it(
    'synthesizes from the config file alone and grants the connection secrets',
    async () => {
      // Act
      const { stack, template } = await synthFromConfigFile({
        ...flashArrayConfigInput(),
        aws: { databaseSecrets: AURORA_SECRETS },
      });

      // Assert
      expect(grantsSecret(roleStatements(stack, template, 'mask-data'), 'orders/prod-db')).toBe(true);
      expect(grantsSecret(roleStatements(stack, template, 'refresh-data'), 'tollgate/flasharray-token')).toBe(
        true,
      );
    },
    SYNTH_MS,
  );
});

describe('TollgateStack aws block refusals', () => {
  it(
    'fails synth naming aws.databaseSecrets and the fix when an environment has no secret',
    () => {
      // Arrange
      const config = auroraConfigInput({ aws: { databaseSecrets: { staging: AURORA_SECRETS.staging } } });

      // Act / Assert
      expect(() => buildStack(config)).toThrow(
        /environment "prod" has a database but aws\.databaseSecrets has no "prod" entry; .*aws: \{ databaseSecrets: \{ "prod": "<secret name or ARN>" \} \} in the config/,
      );
    },
    SYNTH_MS,
  );

  it(
    'throws when the network is given both as props and as aws.network',
    () => {
      // Arrange
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const config = auroraConfigInput({
        aws: { databaseSecrets: AURORA_SECRETS, network: ACCOUNT.network },
      });

      // Act / Assert
      expect(
        () =>
          new TollgateStack(app, 'Tollgate', {
            config,
            pipeline: { projectRoot: projectRoot(), ...importedNetwork(app) },
          }),
      ).toThrow(
        'vpc, databaseSecurityGroup, vpcSubnets or databasePort is given both as a TollgatePipeline prop and as aws.network in the config; keep one',
      );
    },
    SYNTH_MS,
  );

  it('returns one line per problem naming the aws path and what to write', () => {
    // Arrange
    const config = auroraConfigInput({
      aws: {
        network: {
          vpcId: 'vpc-1',
          subnetIds: [],
          databaseSecurityGroupId: 'sg-0db0db0db0db0db0d',
          vpcid: 'x',
        },
        buildSource: { type: 'github', owner: 'acme', connectionArn: 'arn:aws:iam::1:role/x' },
      } as never,
    });

    // Act
    const message = (() => {
      try {
        parseConfig(config);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();

    // Assert
    expect(message.split('\n')).toHaveLength(1);
    for (const line of [
      'aws.network: unknown key(s) "vpcid" (remove them or check the spelling)',
      'aws.network.vpcId: must be an id like "vpc-0a1b2c3d4e5f60718"',
      'aws.network.subnetIds: list at least one private subnet id, e.g. ["subnet-0a1b2c3d4e5f60718"]',
      'aws.buildSource.connectionArn: must be a CodeConnections connection ARN like arn:aws:codeconnections:',
    ])
      expect(message).toContain(line);
  });
});
