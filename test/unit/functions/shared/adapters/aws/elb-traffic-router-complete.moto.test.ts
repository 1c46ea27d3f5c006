import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcsDeployer } from '../../../../../../functions/shared/adapters/aws/ecs-deployer.js';
import { ElbTrafficRouter } from '../../../../../../functions/shared/adapters/aws/elb-traffic-router.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { ecsCanaryConfig } from '../../../../../support/ecs-canary-fixtures.js';
import { FakeEcs } from '../../../../../support/fake-ecs.js';
import { type AlbCanaryWorld, createAlbCanaryWorld } from '../../../../../support/moto-alb-canary.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-service';
const ENV = { pipeline: 'orders-service', environment: 'prod' } as const;
const release = (version: string, hex: string): ReleaseRef => ({
  version,
  digest: `sha256:${hex.repeat(64)}`,
  artifactKey: `blobs/sha256/${hex.repeat(64)}`,
  commit: hex.repeat(40),
  imageDigest: `sha256:${hex.repeat(63)}f`,
});
const first = release('r1-aaaaaaa', 'a');
const second = release('r2-bbbbbbb', 'b');

/**
 * Completing a canary waits on the environment service's rollout, which moto's ECS never runs
 * (UpdateService starts no deployment). So here the listener rule is moto's ELBv2, and ECS is the
 * stateful fake (test/support/fake-ecs.ts), whose tick() finishes or fails rollouts; the deployer
 * starts the canary for real through it.
 */
describe.runIf(motoEnabled('ElbTrafficRouter.complete on moto ELBv2'))(
  'ElbTrafficRouter.complete on moto ELBv2',
  () => {
    let moto: MotoServer;
    let elb: ElasticLoadBalancingV2Client;
    let world: AlbCanaryWorld;
    beforeAll(async () => {
      moto = await startMotoServer();
      elb = new ElasticLoadBalancingV2Client(moto.clientConfig);
      world = await createAlbCanaryWorld(moto, { ecs: new ECSClient(moto.clientConfig), elb }, []);
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
    });

    const ecs = new ECSClient({ region: 'us-east-1' });
    const stub = mockClient(ecs);
    let fake: FakeEcs;
    let router: ElbTrafficRouter;
    let deployer: EcsDeployer;
    beforeEach(async () => {
      stub.reset();
      fake = new FakeEcs('tollgate').install(stub);
      const app = [{ name: 'app', image: 'legacy/orders:1', essential: true }];
      fake.seedService('orders', 'orders', app);
      fake.seedService('orders-canary', 'orders', app);
      const config = parseConfig(
        ecsCanaryConfig({
          service: world.canaryService,
          listenerRuleArn: world.listenerRuleArn,
          targetGroupArn: world.targetGroupArn,
          baselineTargetGroupArn: world.baselineTargetGroupArn,
        }),
      );
      router = new ElbTrafficRouter({ config, ecs, elb });
      deployer = new EcsDeployer({ config, client: ecs, imageRepositoryUri: REPO });
      // The canary service idles, the rule sends everything to the baseline.
      await router.abort({ ...ENV, canaryVersion: 'none', reason: 'reset' });
      await ecs.send(
        new UpdateServiceCommand({ cluster: 'tollgate', service: 'orders-canary', desiredCount: 0 }),
      );
      await deployer.start({ ...ENV, release: first, idempotencyKey: 'run-1#Deploy' });
      fake.tick();
      await deployer.start({ ...ENV, release: second, idempotencyKey: 'run-2#Deploy', mode: 'canary' });
      fake.tick();
      await router.shift({ ...ENV, canaryVersion: second.version, percent: 50 });
    });

    const weights = async () => {
      const { Rules } = await elb.send(new DescribeRulesCommand({ RuleArns: [world.listenerRuleArn] }));
      const groups = Rules![0]!.Actions!.find((a) => a.Type === 'forward')!.ForwardConfig!.TargetGroups!;
      return Object.fromEntries(
        groups.map((g) => [g.TargetGroupArn === world.targetGroupArn ? 'canary' : 'baseline', g.Weight]),
      );
    };
    const desired = async (name: string) =>
      (await ecs.send(new DescribeServicesCommand({ cluster: 'tollgate', services: [name] }))).services![0]!
        .desiredCount;

    it('completes in two calls: the canary serves all while the service rolls, then the service takes over', async () => {
      // Act
      const rolling = await router.complete({ ...ENV, canaryVersion: second.version });
      const stillRolling = await router.complete({ ...ENV, canaryVersion: second.version });
      const duringRollout = await weights();
      const updates = fake.calls.filter((c) => c === 'UpdateService').length;
      fake.tick();
      const done = await router.complete({ ...ENV, canaryVersion: second.version });
      const again = await router.complete({ ...ENV, canaryVersion: second.version });
      // Assert
      expect(rolling).toEqual({ baseline: first.version, canary: second.version, canaryPercent: 100 });
      expect(stillRolling).toEqual(rolling);
      expect(duringRollout).toEqual({ baseline: 0, canary: 100 });
      expect(updates).toBe(4); // idle canary, first, canary, one takeover for two calls
      expect(done).toEqual({ baseline: second.version, canaryPercent: 0 });
      expect(again).toEqual(done);
      expect(await weights()).toEqual({ baseline: 100, canary: 0 });
      expect(await desired('orders-canary')).toBe(0);
      expect(await deployer.current(ENV.pipeline, ENV.environment)).toBe(second.version);
    });

    it("keeps the canary serving and fails loudly when the service's takeover rollout fails", async () => {
      // Arrange
      fake.unhealthyImages.add(`${REPO}@${second.imageDigest}`);
      await router.complete({ ...ENV, canaryVersion: second.version });
      fake.tick(); // the circuit breaker fails the takeover and rolls the service back
      // Act
      const attempt = router.complete({ ...ENV, canaryVersion: second.version });
      // Assert
      await expect(attempt).rejects.toThrow(
        `orders could not take over ${second.version}: ECS deployment circuit breaker: tasks failed to start.; the canary service still serves all traffic`,
      );
      expect(await weights()).toEqual({ baseline: 0, canary: 100 });
      expect(await desired('orders-canary')).toBe(2);
    });

    it('lets a canary deploy start again once the previous canary was completed', async () => {
      // Arrange
      await router.complete({ ...ENV, canaryVersion: second.version });
      fake.tick();
      await router.complete({ ...ENV, canaryVersion: second.version });
      // Act
      const third = await deployer.start({
        ...ENV,
        release: release('r3-ccccccc', 'c'),
        idempotencyKey: 'run-3#Deploy',
        mode: 'canary',
      });
      // Assert
      expect(third.deploymentId).toMatch(/\|canary$/);
    });
  },
);
