import {
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ElbTrafficRouter } from '../../../../../../functions/shared/adapters/aws/elb-traffic-router.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { ecsCanaryConfig } from '../../../../../support/ecs-canary-fixtures.js';
import { type AlbCanaryWorld, createAlbCanaryWorld } from '../../../../../support/moto-alb-canary.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const ENV = { pipeline: 'orders-service', environment: 'prod' } as const;
const canaryOf = (w: AlbCanaryWorld) => ({
  service: w.canaryService,
  listenerRuleArn: w.listenerRuleArn,
  targetGroupArn: w.targetGroupArn,
  baselineTargetGroupArn: w.baselineTargetGroupArn,
});

/**
 * The ELB traffic router against moto's ELBv2 and ECS: the listener rule's forward weights and the
 * canary service's size are real API state. A canary's start is done here the way the deployer does
 * it (a tagged task definition on the canary service), because moto's UpdateService starts no
 * deployment for the deployer to follow; completing, which waits on a rollout, is covered with
 * the stateful ECS fake in elb-traffic-router-complete.moto.test.ts.
 */
describe.runIf(motoEnabled('ElbTrafficRouter on moto_server'))('ElbTrafficRouter on moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let elb: ElasticLoadBalancingV2Client;
  let world: AlbCanaryWorld;
  let router: ElbTrafficRouter;

  beforeAll(async () => {
    // moto reports this many tasks running per service, so the service's first deployment is COMPLETED.
    moto = await startMotoServer({ env: { MOTO_ECS_SERVICE_RUNNING: '2' } });
    ecs = new ECSClient(moto.clientConfig);
    elb = new ElasticLoadBalancingV2Client(moto.clientConfig);
  }, 60_000);
  beforeEach(async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    world = await createAlbCanaryWorld(moto, { ecs, elb }, [{ key: 'tollgate:release', value: 'r1' }]);
    const config = parseConfig(ecsCanaryConfig(canaryOf(world)));
    router = new ElbTrafficRouter({ config, ecs, elb });
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  const forward = async () => {
    const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [world.listenerRuleArn] }));
    return Rules![0]!.Actions!.find((a) => a.Type === 'forward')!.ForwardConfig!;
  };
  const weights = async () =>
    Object.fromEntries(
      (await forward()).TargetGroups!.map((g) => [
        g.TargetGroupArn === world.targetGroupArn ? 'canary' : 'baseline',
        g.Weight,
      ]),
    );
  const canaryService = async () =>
    (await ecs.send(new DescribeServicesCommand({ cluster: 'tollgate', services: [world.canaryService] })))
      .services![0]!;
  /** What EcsDeployer.start in canary mode leaves behind. */
  const startCanary = async (version: string) => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'orders',
        containerDefinitions: [
          { name: 'app', image: `orders@sha256:${version}`, essential: true, memory: 256 },
        ],
        tags: [{ key: 'tollgate:release', value: version }],
      }),
    );
    await ecs.send(
      new UpdateServiceCommand({
        cluster: 'tollgate',
        service: world.canaryService,
        taskDefinition: taskDefinition!.taskDefinitionArn!,
        desiredCount: 2,
      }),
    );
  };

  it('reports the serving release with all traffic before any canary', async () => {
    expect(await router.split(ENV.pipeline, ENV.environment)).toEqual({ baseline: 'r1', canaryPercent: 0 });
  });

  it('weights the listener rule by the step and keeps its stickiness', async () => {
    // Arrange
    await startCanary('r2');
    // Act
    const first = await router.shift({ ...ENV, canaryVersion: 'r2', percent: 10 });
    const tenPercent = await weights();
    const second = await router.shift({ ...ENV, canaryVersion: 'r2', percent: 50 });
    // Assert
    expect(first).toEqual({ baseline: 'r1', canary: 'r2', canaryPercent: 10 });
    expect(tenPercent).toEqual({ baseline: 90, canary: 10 });
    expect(second).toEqual({ baseline: 'r1', canary: 'r2', canaryPercent: 50 });
    expect(await weights()).toEqual({ baseline: 50, canary: 50 });
    expect((await forward()).TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 300 });
    expect(await router.split(ENV.pipeline, ENV.environment)).toEqual(second);
  });

  it("turns the rule's target-group stickiness on for a sticky strategy", async () => {
    // Arrange: a rule without stickiness, and a strategy that asks for it.
    await elb.send(
      new ModifyRuleCommand({
        RuleArn: world.listenerRuleArn,
        Actions: [
          {
            Type: 'forward',
            ForwardConfig: {
              TargetGroups: [{ TargetGroupArn: world.baselineTargetGroupArn, Weight: 1 }],
              TargetGroupStickinessConfig: { Enabled: false },
            },
          },
        ],
      }),
    );
    const raw = ecsCanaryConfig(canaryOf(world));
    const prod = raw.environments[1]!;
    raw.environments[1] = { ...prod, strategy: { ...(prod.strategy as object), sticky: true } as never };
    const sticky = new ElbTrafficRouter({ config: parseConfig(raw), ecs, elb });
    await startCanary('r2');
    // Act
    await sticky.shift({ ...ENV, canaryVersion: 'r2', percent: 10 });
    // Assert
    expect((await forward()).TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 3600 });
  });

  it('refuses to shift traffic to a release the canary service does not run, and leaves the rule alone', async () => {
    // Arrange
    const before = await forward();
    // Act
    const idle = router.shift({ ...ENV, canaryVersion: 'r2', percent: 10 });
    // Assert
    await expect(idle).rejects.toThrow(
      'canary service orders-canary runs no release, not r2; start it with a canary deploy first',
    );
    await startCanary('r3');
    await expect(router.shift({ ...ENV, canaryVersion: 'r2', percent: 10 })).rejects.toThrow(
      'canary service orders-canary runs r3, not r2',
    );
    expect(await forward()).toEqual(before);
  });

  it.each([101, -1, 12.5, Number.NaN])('refuses %s percent and changes nothing', async (percent) => {
    // Arrange
    await startCanary('r2');
    const before = await forward();
    // Act
    const attempt = router.shift({ ...ENV, canaryVersion: 'r2', percent });
    // Assert
    await expect(attempt).rejects.toThrow(`traffic percent ${percent} is not a whole number from 0 to 100`);
    expect(await forward()).toEqual(before);
  });

  it('aborts: the baseline takes all traffic back and the canary service stops; again, nothing changes', async () => {
    // Arrange
    await startCanary('r2');
    await router.shift({ ...ENV, canaryVersion: 'r2', percent: 50 });
    // Act
    const aborted = await router.abort({ ...ENV, canaryVersion: 'r2', reason: 'error-rate 0.2 > 0.05' });
    const again = await router.abort({ ...ENV, canaryVersion: 'r2', reason: 'retried' });
    // Assert
    expect(aborted).toEqual({ baseline: 'r1', canaryPercent: 0 });
    expect(again).toEqual(aborted);
    expect(await weights()).toEqual({ baseline: 100, canary: 0 });
    expect((await canaryService()).desiredCount).toBe(0);
  });

  it('completing gives the canary all traffic and points the service at its task definition', async () => {
    // Arrange
    await startCanary('r2');
    await router.shift({ ...ENV, canaryVersion: 'r2', percent: 50 });
    const canaryDefinition = (await canaryService()).taskDefinition;
    // Act
    const completing = await router.complete({ ...ENV, canaryVersion: 'r2' });
    // Assert: the service's rollout has only started (moto never finishes one), so r1 is still its release.
    expect(completing).toEqual({ baseline: 'r1', canary: 'r2', canaryPercent: 100 });
    expect(await weights()).toEqual({ baseline: 0, canary: 100 });
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'tollgate', services: ['orders'] }),
    );
    expect(services![0]!.taskDefinition).toBe(canaryDefinition);
  });

  it('refuses an environment without deploy.canary in one line', async () => {
    // Arrange
    const raw = ecsCanaryConfig(canaryOf(world));
    raw.environments[1] = {
      ...raw.environments[1]!,
      deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders', containerName: 'app' },
      strategy: { type: 'all-at-once' },
    };
    const plain = new ElbTrafficRouter({ config: parseConfig(raw), ecs, elb });
    // Act + Assert
    await expect(plain.split(ENV.pipeline, ENV.environment)).rejects.toThrow(
      'environment "prod" has no deploy.canary, so its traffic cannot be split',
    );
  });
});
