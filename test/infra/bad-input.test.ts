import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { CommitRules } from '../../infra/constructs/commit-rules.js';
import { SecureBucket } from '../../infra/constructs/secure-bucket.js';
import { TollgateFunction } from '../../infra/constructs/tollgate-function.js';
import { grantStatements } from '../../infra/function-grants.js';
import { DEFAULT_DEFINITION_PATH, REPO_ROOT } from '../../infra/repo-paths.js';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  buildNetworkedStack,
  buildStack,
  ecsConfigInput,
  projectRoot,
} from './stack-fixture.js';

const tempFile = (name: string, text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'tollgate-bad-')), name);
  writeFileSync(path, text);
  return path;
};

describe('TollgatePipeline bad input', () => {
  it('throws naming the placeholder when the ASL uses one nothing binds', () => {
    // Arrange
    const build = `"$${'{'}BuildResource}"`;
    const asl = readFileSync(DEFAULT_DEFINITION_PATH, 'utf8').replace(
      build,
      `${build}, "Comment": "$${'{'}ApprovalTopicArn}"`,
    );
    const path = tempFile('pipeline.asl.json', asl);

    // Act / Assert
    expect(() => buildStack(ecsConfigInput(), { definitionPath: path })).toThrow(
      /uses unbound placeholder\(s\) \$\{ApprovalTopicArn\}; declare the task in statemachines\/pipeline\.ts/,
    );
  });

  it('throws when the definition file does not exist', () => {
    expect(() => buildStack(ecsConfigInput(), { definitionPath: '/nonexistent/pipeline.asl.json' })).toThrow(
      'state machine definition not found at /nonexistent/pipeline.asl.json',
    );
  });

  it('throws when the definition is not JSON', () => {
    const path = tempFile('broken.asl.json', '{"StartAt": ');
    expect(() => buildStack(ecsConfigInput(), { definitionPath: path })).toThrow(
      /broken\.asl\.json is not valid JSON/,
    );
  });

  it('throws when ecsPassRoleArns is an empty list', () => {
    expect(() => buildStack(ecsConfigInput(), { ecsPassRoleArns: [] })).toThrow(/ecsPassRoleArns is empty/);
  });

  it('throws when a handler is missing from the project root, naming it', () => {
    // Arrange: a root with the real ASL but no functions/ (the webhook is built first: plan-run needs its secret)
    const root = mkdtempSync(join(tmpdir(), 'tollgate-nofns-'));

    // Act / Assert
    expect(() => buildStack(ecsConfigInput(), { definitionPath: DEFAULT_DEFINITION_PATH }, root)).toThrow(
      /handler for "webhook" not found at .*functions\/webhook\/handler\.ts/,
    );
  });

  it('throws at synth when what stays in the variables outgrows the 4 KB Lambda environment', () => {
    // Arrange: the config travels in the bundle, but each environment's database secret stays a variable
    const names = ['prod', ...Array.from({ length: 23 }, (_, i) => `env-${i}`)];
    const environments = names.map((name) => ({
      name,
      deploy: { type: 'ecs' as const, cluster: 'apps', service: `orders-${name}`, containerName: 'app' },
      database: {},
    }));
    const databaseSecrets = Object.fromEntries(
      names.map((n) => [
        n,
        `arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders/${n}-connection-AbC123`,
      ]),
    );

    // Act / Assert
    expect(() => buildStack(auroraConfigInput({ environments }), { databaseSecrets })).toThrow(
      /environment variables of function "[a-z-]+" take about \d+ bytes \(TOLLGATE_DATABASE_SECRETS alone is \d+\); Lambda allows 4096: shorten TOLLGATE_DATABASE_SECRETS/,
    );
  });

  it('throws listing every problem when the config is invalid', () => {
    // Arrange
    const config = ecsConfigInput({ name: 'Orders!', environments: [] });

    // Act / Assert
    expect(() => buildStack(config)).toThrow(
      /invalid config in TollgatePipeline props\.config: name: must start with a lowercase letter.*; environments: add at least one environment/,
    );
  });

  it('throws when the config holds a value JSON cannot carry to the functions', () => {
    // Arrange: a Date survives in the object but arrives as a string in the config file the functions read
    const config = { ...ecsConfigInput(), name: new Date(0) as unknown as string };

    // Act / Assert
    expect(() => buildStack(config)).toThrow(/invalid config in TollgatePipeline props\.config: name:/);
  });

  it('fails synth naming the environment when a database has no connection secret', () => {
    expect(() =>
      buildStack(auroraConfigInput(), { databaseSecrets: { staging: AURORA_SECRETS.staging } }),
    ).toThrow(
      /environment "prod" has a database but databaseSecrets has no "prod" entry; the aurora-clone provider needs its connection secret/,
    );
  });

  it('fails synth when a database secret id is malformed', () => {
    expect(() =>
      buildStack(auroraConfigInput(), { databaseSecrets: { ...AURORA_SECRETS, prod: 'orders prod!' } }),
    ).toThrow(/databaseSecrets\["prod"\] "orders prod!" is not a valid secret name/);
  });

  it('fails synth when the Aurora source cluster carries the clone prefix', () => {
    // Arrange
    const config = auroraConfigInput({
      database: { engine: 'postgres', provider: { type: 'aurora-clone', sourceClusterId: 'tg-orders' } },
    });

    // Act / Assert
    expect(() => buildStack(config, { databaseSecrets: AURORA_SECRETS })).toThrow(
      /sourceClusterId "tg-orders" starts with "tg-"/,
    );
  });

  it('throws when a VPC is given without the database security group', () => {
    expect(() =>
      buildNetworkedStack(auroraConfigInput(), {
        databaseSecrets: AURORA_SECRETS,
        databaseSecurityGroup: undefined,
      }),
    ).toThrow('vpc and databaseSecurityGroup go together');
  });

  it('throws when the database security group is given without a VPC', () => {
    expect(() =>
      buildNetworkedStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS, vpc: undefined }),
    ).toThrow('vpc and databaseSecurityGroup go together');
  });

  it('throws when vpcSubnets are given without a VPC', () => {
    expect(() => buildStack(ecsConfigInput(), { vpcSubnets: { subnetGroupName: 'data' } })).toThrow(
      'vpcSubnets needs vpc',
    );
  });

  it('throws when the database port is not a TCP port', () => {
    expect(() =>
      buildNetworkedStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS, databasePort: 70_000 }),
    ).toThrow('databasePort must be a TCP port (1-65535), got 70000');
  });

  it('warns, without failing, when an environment deploys as a local process', () => {
    // Arrange
    const config = ecsConfigInput({
      environments: [{ name: 'test', deploy: { type: 'process', command: 'node server.js', port: 4701 } }],
    });

    // Act
    const { stack } = buildStack(config);

    // Assert
    const warnings = stack.pipeline.node.metadata
      .filter((m) => m.type === 'aws:cdk:warning')
      .map((m) => m.data);
    expect(warnings).toEqual([expect.stringMatching(/environment "test" deploys as a local process/)]);
  });
});

describe('house constructs bad input', () => {
  const stack = () => new Stack(new App(), 'S');

  it('throws when TollgateFunction memory is out of range', () => {
    expect(
      () =>
        new TollgateFunction(stack(), 'F', {
          entry: join(projectRoot(), 'functions/webhook/handler.ts'),
          projectRoot: REPO_ROOT,
          taskName: 'webhook',
          memorySize: 64,
        }),
    ).toThrow('memorySize for "webhook" must be 128-10240 MB, got 64');
  });

  it('throws when SecureBucket noncurrentVersionDays is zero', () => {
    const s = stack();
    const logs = new s3.Bucket(s, 'Logs');
    expect(
      () => new SecureBucket(s, 'B', { accessLogs: logs, accessLogsPrefix: 'b/', noncurrentVersionDays: 0 }),
    ).toThrow('noncurrentVersionDays must be a whole number of days >= 1, got 0');
  });

  it('throws when SecureBucket objectLockDays is fractional', () => {
    const s = stack();
    const logs = new s3.Bucket(s, 'Logs');
    expect(
      () => new SecureBucket(s, 'B', { accessLogs: logs, accessLogsPrefix: 'b/', objectLockDays: 1.5 }),
    ).toThrow('objectLockDays must be a whole number of days >= 1, got 1.5');
  });

  it('throws when CommitRules gets no patterns', () => {
    const s = stack();
    const machine = sfn.StateMachine.fromStateMachineName(s, 'M', 'm');
    expect(
      () => new CommitRules(s, 'R', { eventBus: undefined as never, patterns: {}, stateMachine: machine }),
    ).toThrow('CommitRules needs at least one event pattern');
  });

  it('throws when a task has no row in the grants table', () => {
    expect(() => grantStatements('webhook' as never, {} as never)).toThrow(
      'no grants row for function "webhook"; add it to FUNCTION_GRANTS',
    );
  });
});
