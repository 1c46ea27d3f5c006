import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlbCanaryWorld, createAlbCanaryWorld } from '../../../support/moto-alb-canary.js';
import { motoEnabled } from '../../../support/moto-server.js';
import { cli, freePort } from '../e2e-harness.js';
import { deployedDefinition, startDoctorAws } from './doctor-aws-stack.js';

const AWS_CONFIG_FILE = new URL('../../../../examples/orders-service/aws/tollgate.config.ts', import.meta.url)
  .pathname;

/**
 * A repository whose config is the AWS example's with prod's canary on the ALB, target groups and
 * services made in moto (moto draws their ids), changed by `canary` where a test breaks one.
 */
function canaryRepo(world: AlbCanaryWorld, canary: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-doctor-repo-'));
  const deploy = {
    cluster: world.cluster,
    service: world.service,
    canary: {
      service: world.canaryService,
      listenerRuleArn: world.listenerRuleArn,
      targetGroupArn: world.targetGroupArn,
      baselineTargetGroupArn: world.baselineTargetGroupArn,
      ...canary,
    },
  };
  writeFileSync(
    join(dir, 'tollgate.config.ts'),
    `import base from ${JSON.stringify(AWS_CONFIG_FILE)};
const deploy = ${JSON.stringify(deploy)};
export default {
  ...base,
  environments: base.environments.map((e) => (e.name === 'prod' ? { ...e, deploy: { ...e.deploy, ...deploy } } : e)),
};
`,
  );
  return dir;
}

interface Check {
  readonly name: string;
  readonly status: string;
  readonly detail: string;
}

/**
 * `tollgate doctor --aws` as a user runs it (the real CLI in a child process, its SDK clients
 * configured from the environment only) against a stack CloudFormation created in moto_server.
 */
describe.runIf(motoEnabled('tollgate doctor --aws'))('tollgate doctor --aws', () => {
  let aws: Awaited<ReturnType<typeof startDoctorAws>>;
  let home: string;
  let world: AlbCanaryWorld;
  let repo: string;

  beforeAll(async () => {
    aws = await startDoctorAws();
    home = mkdtempSync(join(tmpdir(), 'tollgate-doctor-home-'));
    world = await createAlbCanaryWorld(
      aws.moto,
      {
        ecs: new ECSClient(aws.moto.clientConfig),
        elb: new ElasticLoadBalancingV2Client(aws.moto.clientConfig),
      },
      [],
    );
    repo = canaryRepo(world);
  }, 60_000);

  afterAll(async () => {
    await aws?.close();
    rmSync(home, { recursive: true, force: true });
    if (repo) rmSync(repo, { recursive: true, force: true });
  });

  /** No profile, no instance metadata: only what `env` gives counts as credentials and region. */
  const isolated = () => ({
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_PROFILE: '',
    AWS_DEFAULT_REGION: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
    AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
    AWS_WEB_IDENTITY_TOKEN_FILE: '',
  });

  const elb = () => new ElasticLoadBalancingV2Client(aws.moto.clientConfig);
  /** `…:listener-rule/app/<lb>/<id>/<listener>/<rule>` → `…:listener/app/<lb>/<id>/<listener>` */
  const listenerOf = (ruleArn: string) =>
    ruleArn.replace(':listener-rule/', ':listener/').replace(/\/[^/]+$/, '');

  async function doctor(stack: string, env: Record<string, string>, json = true, repoDir = repo) {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-doctor-data-'));
    try {
      const args = ['doctor', '--aws', '--stack', stack, '--repo', repoDir, '--data-dir', dataDir];
      args.push('--endpoint', `http://127.0.0.1:${await freePort()}`);
      const result = await cli(json ? [...args, '--json'] : args, { env: { ...isolated(), ...env } });
      const awsChecks = json
        ? (JSON.parse(result.stdout) as { checks: Check[] }).checks.filter((c) => c.name.startsWith('aws-'))
        : [];
      return { ...result, awsChecks };
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('passes every AWS check on a complete stack whose definition validates', async () => {
    // Arrange
    await aws.deploy('Good');
    // Act
    const result = await doctor('Good', aws.env);
    // Assert
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.awsChecks).toEqual([
      { name: 'aws-credentials', status: 'ok', detail: 'credentials found (test…), region us-east-1' },
      { name: 'aws-stack', status: 'ok', detail: 'stack Good is CREATE_COMPLETE' },
      {
        name: 'aws-outputs',
        status: 'ok',
        detail: 'stack Good has the 5 outputs the CLI and the console read',
      },
      { name: 'aws-state-machine', status: 'ok', detail: 'Good-pipeline: ACTIVE, STANDARD' },
      {
        name: 'aws-definition',
        status: 'ok',
        detail: 'the definition of Good-pipeline validates (ValidateStateMachineDefinition: OK)',
      },
      {
        name: 'aws-approve-url',
        status: 'ok',
        detail: 'https://abcdefghijklmnop0123456789.lambda-url.us-east-1.on.aws/',
      },
      { name: 'aws-lock-table', status: 'ok', detail: 'lock table Good-locks is ACTIVE' },
      { name: 'aws-approvals-table', status: 'ok', detail: 'approvals table Good-approvals is ACTIVE' },
      {
        name: 'aws-canary',
        status: 'ok',
        detail:
          'prod: listener rule forwards to the baseline target group; canary service orders-canary is ACTIVE in tollgate, in the canary target group',
      },
    ]);
  }, 120_000);

  it.each([
    [
      'a canary service the cluster does not have',
      'NoService',
      () => ({ service: 'orders-nope' }),
      /^prod: canary service orders-nope does not exist in cluster tollgate \(deploy\.canary\.service\)$/,
    ],
    [
      'a listener rule that does not exist',
      'NoRule',
      () => ({ listenerRuleArn: world.listenerRuleArn.replace(/[0-9a-f]{16}$/, '0123456789abcdef') }),
      /^prod: listener rule arn:aws:elasticloadbalancing:\S+\/0123456789abcdef does not exist \(deploy\.canary\.listenerRuleArn\)$/,
    ],
    [
      'the two target groups swapped',
      'Swapped',
      () => ({ targetGroupArn: world.baselineTargetGroupArn, baselineTargetGroupArn: world.targetGroupArn }),
      /^prod: listener rule \S+ does not forward to deploy\.canary\.baselineTargetGroupArn \S+orders-canary\S+$/,
    ],
    [
      'a rule that also forwards to a group deploy.canary does not name',
      'ThirdGroup',
      async () => {
        const { TargetGroups } = await elb().send(
          new DescribeTargetGroupsCommand({ TargetGroupArns: [world.baselineTargetGroupArn] }),
        );
        const other = await elb().send(
          new CreateTargetGroupCommand({
            Name: 'orders-other',
            Protocol: 'HTTP',
            Port: 8080,
            VpcId: TargetGroups![0]!.VpcId!,
            TargetType: 'ip',
          }),
        );
        const rule = await elb().send(
          new CreateRuleCommand({
            ListenerArn: listenerOf(world.listenerRuleArn),
            Priority: 20,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/other/*'] } }],
            Actions: [
              {
                Type: 'forward',
                ForwardConfig: {
                  TargetGroups: [
                    { TargetGroupArn: world.baselineTargetGroupArn, Weight: 1 },
                    { TargetGroupArn: other.TargetGroups![0]!.TargetGroupArn!, Weight: 1 },
                  ],
                },
              },
            ],
          }),
        );
        return { listenerRuleArn: rule.Rules![0]!.RuleArn! };
      },
      /^prod: listener rule \S+ also forwards to \S+orders-other\S+, which deploy\.canary does not name; a canary step would take that traffic away$/,
    ],
    [
      "the listener's default rule",
      'DefaultRule',
      async () => {
        const { Rules } = await elb().send(
          new DescribeRulesCommand({ ListenerArn: listenerOf(world.listenerRuleArn) }),
        );
        return { listenerRuleArn: Rules!.find((r) => r.IsDefault)!.RuleArn! };
      },
      /^prod: listener rule \S+ is its listener's default rule; Tollgate weights a non-default rule$/,
    ],
    [
      'a canary service outside the canary target group',
      'Unregistered',
      async () => {
        await new ECSClient(aws.moto.clientConfig).send(
          new CreateServiceCommand({
            cluster: world.cluster,
            serviceName: 'orders-loose',
            taskDefinition: 'orders',
            desiredCount: 0,
          }),
        );
        return { service: 'orders-loose' };
      },
      /^prod: canary service orders-loose is not registered in deploy\.canary\.targetGroupArn \S+; its tasks would get no traffic$/,
    ],
  ])(
    'fails the canary check in one line for %s, and passes the rest',
    async (_what, stack, change, detail) => {
      // Arrange
      await aws.deploy(stack);
      const broken = canaryRepo(world, await change());
      try {
        // Act
        const result = await doctor(stack, aws.env, true, broken);
        // Assert
        expect(result.code).toBe(4);
        const failed = result.awsChecks.filter((c) => c.status !== 'ok');
        expect(failed).toEqual([
          { name: 'aws-canary', status: 'fail', detail: expect.stringMatching(detail) },
        ]);
      } finally {
        rmSync(broken, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it('names every missing output and what it breaks, in one failing line', async () => {
    // Arrange
    await aws.deploy('Partial', { without: ['LedgerBucketName', 'ApproveUrl'] });
    // Act
    const result = await doctor('Partial', aws.env);
    // Assert
    expect(result.code).toBe(4);
    expect(result.awsChecks.filter((c) => c.status !== 'ok')).toEqual([
      {
        name: 'aws-outputs',
        status: 'fail',
        detail:
          'stack Partial has no LedgerBucketName output (envs, show and the console cannot read the ledger), ' +
          'no ApproveUrl output (approve, reject and the console cannot decide); ' +
          'deploy this version of the stack with `npx cdk deploy`',
      },
    ]);
    expect(result.awsChecks.map((c) => c.name)).not.toContain('aws-approve-url');
  }, 120_000);

  it('fails on an ERROR diagnostic of the deployed definition, one line per diagnostic', async () => {
    // Arrange: a definition Step Functions holds but its validator rejects (a Next to nowhere)
    const definition = JSON.parse(deployedDefinition());
    definition.States[definition.StartAt].Next = 'Nowhere';
    await aws.deploy('Broken', { definition: JSON.stringify(definition) });
    // Act
    const result = await doctor('Broken', aws.env, false);
    // Assert
    expect(result.code).toBe(4);
    const lines = result.stdout.split('\n').filter((l) => l.includes('aws-definition'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^✗ +aws-definition +ERROR MISSING_TRANSITION_TARGET at \/States\/Normalize\/Next: Missing 'Next' target: Nowhere$/,
    );
    expect(result.stdout).toMatch(/^✓ +aws-state-machine +Broken-pipeline: ACTIVE, STANDARD$/m);
  }, 120_000);

  it('fails an approve URL that is not https, which would send signatures in clear text', async () => {
    // Arrange
    await aws.deploy('Plain', { approveUrl: 'http://approve.example.com/' });
    // Act
    const result = await doctor('Plain', aws.env);
    // Assert
    expect(result.code).toBe(4);
    expect(result.awsChecks.filter((c) => c.status !== 'ok')).toEqual([
      {
        name: 'aws-approve-url',
        status: 'fail',
        detail: "the stack's ApproveUrl must be https, got http://approve.example.com",
      },
    ]);
  }, 120_000);

  it('says in one line that the stack does not exist, and checks nothing further', async () => {
    // Act
    const result = await doctor('Missing', aws.env);
    // Assert
    expect(result.code).toBe(4);
    expect(result.awsChecks.map((c) => [c.name, c.status])).toEqual([
      ['aws-credentials', 'ok'],
      ['aws-stack', 'fail'],
    ]);
    expect(result.awsChecks[1]!.detail).toBe(
      'cannot read stack Missing: Stack with id Missing does not exist',
    );
  }, 120_000);

  it('says in one line that there are no credentials, and checks nothing further', async () => {
    // Arrange: moto is still there; without credentials nothing may reach it
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...rest } = aws.env;
    // Act
    const result = await doctor('Good', { ...rest, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    // Assert
    expect(result.code).toBe(4);
    expect(result.awsChecks).toHaveLength(1);
    expect(result.awsChecks[0]).toMatchObject({ name: 'aws-credentials', status: 'fail' });
    expect(result.awsChecks[0]!.detail).toMatch(/^no AWS credentials in the default chain: \S/);
    expect(result.awsChecks[0]!.detail).not.toContain('\n');
  }, 120_000);

  it('says in one line that credentials have no region', async () => {
    // Act
    const result = await doctor('Good', { ...aws.env, AWS_REGION: '' });
    // Assert
    expect(result.code).toBe(4);
    expect(result.awsChecks).toEqual([
      {
        name: 'aws-credentials',
        status: 'fail',
        detail: 'credentials found (test…) but no region; set AWS_REGION or the region of your AWS profile',
      },
    ]);
  }, 120_000);
});
