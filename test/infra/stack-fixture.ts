import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { App, Aspects, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../functions/shared/config/load-config.js';
import type { TollgateConfig, TollgateConfigInput } from '../../functions/shared/config/schema.js';
import { TASKS } from '../../functions/task-registry.js';
import { handlerEntry, REPO_ROOT } from '../../infra/repo-paths.js';
import { TollgateStack, type TollgateStackProps } from '../../infra/tollgate-stack.js';

/** An AWS-shaped config: two ECS environments, an image, and the smoke tests of the example. */
export function ecsConfigInput(overrides: Partial<TollgateConfigInput> = {}): TollgateConfigInput {
  return {
    name: 'orders',
    source: { repository: 'orders-service', branches: ['main', 'release'] },
    build: {
      command: 'npm ci && npm run build',
      artifact: 'dist/release.tgz',
      image: { repository: 'orders' },
    },
    environments: [
      {
        name: 'staging',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-staging', containerName: 'app' },
      },
      {
        name: 'prod',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-prod', containerName: 'app' },
      },
    ],
    smokeTests: [{ name: 'health', path: '/health' }],
    concurrency: 'superseded',
    ...overrides,
  };
}

export function ecsConfig(overrides: Partial<TollgateConfigInput> = {}): TollgateConfig {
  return parseConfig(ecsConfigInput(overrides), 'test config');
}

const TASK_AND_WEBHOOK_NAMES = [...TASKS.map((t) => t.name), 'webhook', 'approve', 'release-ended-run'];

export function missingHandlers(root = REPO_ROOT): string[] {
  return TASK_AND_WEBHOOK_NAMES.filter((name) => !existsSync(handlerEntry(root, name)));
}

/**
 * The repository root when every handler exists. While task handlers are still being written in
 * parallel, a temp root links the real statemachines/, lock file and every handler that exists, and
 * adds an empty module for each missing one; bundling is off in these tests, so only the path matters.
 */
export function projectRoot(): string {
  const missing = missingHandlers();
  if (missing.length === 0) return REPO_ROOT;
  console.warn(`[test/infra] handlers not written yet, using placeholders: ${missing.join(', ')}`);
  const root = mkdtempSync(join(tmpdir(), 'tollgate-infra-'));
  symlinkSync(resolve(REPO_ROOT, 'statemachines'), join(root, 'statemachines'));
  symlinkSync(resolve(REPO_ROOT, 'package-lock.json'), join(root, 'package-lock.json'));
  for (const name of TASK_AND_WEBHOOK_NAMES) {
    mkdirSync(join(root, 'functions', name), { recursive: true });
    const entry = handlerEntry(root, name);
    if (existsSync(handlerEntry(REPO_ROOT, name))) symlinkSync(handlerEntry(REPO_ROOT, name), entry);
    else writeFileSync(entry, 'export {};\n');
  }
  return root;
}

export interface BuiltStack {
  readonly app: App;
  readonly stack: TollgateStack;
  readonly template: Template;
}

/** Builds the stack with bundling skipped (esbuild runs in the synth test) and cdk-nag applied. */
export function buildStack(
  config: TollgateConfigInput = ecsConfigInput(),
  pipeline: TollgateStackProps['pipeline'] = {},
  root = projectRoot(),
): BuiltStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollgateStack(app, 'Tollgate', { config, pipeline: { projectRoot: root, ...pipeline } });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return { app, stack, template: Template.fromStack(stack) };
}

const APPROVER_ARN = 'arn:aws:iam::111122223333:role/release-managers';
const SOURCE_CLUSTER = 'orders-prod';

/** The ECS config with a production database cloned by Aurora and an approval before prod. */
export function auroraConfigInput(overrides: Partial<TollgateConfigInput> = {}): TollgateConfigInput {
  const base = ecsConfigInput();
  return ecsConfigInput({
    database: {
      engine: 'postgres',
      provider: { type: 'aurora-clone', sourceClusterId: SOURCE_CLUSTER },
      masking: [{ table: 'customers', column: 'email', rule: 'email' }],
      checks: [{ type: 'unique', table: 'customers', columns: ['email'] }],
    },
    environments: [
      { ...base.environments[0], database: { refresh: true } },
      {
        ...base.environments[1],
        database: {},
        approval: { approvers: [APPROVER_ARN], timeout: '4h', minApprovals: 1 },
      },
    ],
    ...overrides,
  });
}

export function flashArrayConfigInput(): TollgateConfigInput {
  const aurora = auroraConfigInput();
  return {
    ...aurora,
    database: {
      engine: 'postgres',
      provider: {
        type: 'flasharray',
        endpoint: 'https://array.example.internal',
        apiTokenSecret: 'tollgate/flasharray-token',
      },
    },
  };
}

export const AURORA_SECRETS = {
  staging: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/staging-db-AbC123',
  prod: 'orders/prod-db',
} as const;

/** Policy statements of every AWS::IAM::Policy attached to a role, by the role's logical id. */
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
export function statementsOfRole(resources: Record<string, any>, roleLogicalId: string): any[] {
  return Object.values(resources)
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        // biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
        r.Properties.Roles.some((x: any) => x.Ref === roleLogicalId),
    )
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
}

/** A VPC and database security group imported by id, as a platform team hands them over. */
export function importedNetwork(app: App) {
  const network = new Stack(app, 'Network');
  // CloudFormation rejects a template with no resources; the imports below create none.
  new CfnWaitConditionHandle(network, 'Placeholder');
  return {
    vpc: ec2.Vpc.fromVpcAttributes(network, 'Vpc', {
      vpcId: 'vpc-0a1b2c3d',
      availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      privateSubnetIds: ['subnet-0aaa', 'subnet-0bbb'],
    }),
    databaseSecurityGroup: ec2.SecurityGroup.fromSecurityGroupId(network, 'Db', 'sg-0db0db0db'),
  };
}

/** Like buildStack, with the pipeline's VPC and database security group imported into `app` first. */
export function buildNetworkedStack(
  config: TollgateConfigInput,
  pipeline: TollgateStackProps['pipeline'] = {},
): BuiltStack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new TollgateStack(app, 'Tollgate', {
    config,
    pipeline: { projectRoot: projectRoot(), ...importedNetwork(app), ...pipeline },
  });
  Aspects.of(app).add(new AwsSolutionsChecks());
  return { app, stack, template: Template.fromStack(stack) };
}
