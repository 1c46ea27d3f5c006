import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcsDeployer } from '../../../../../../functions/shared/adapters/aws/ecs-deployer.js';
import { ElbTrafficRouter } from '../../../../../../functions/shared/adapters/aws/elb-traffic-router.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { ConfigError } from '../../../../../../functions/shared/errors.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { ecsCanaryConfig } from '../../../../../support/ecs-canary-fixtures.js';
import { FakeEcs } from '../../../../../support/fake-ecs.js';
import { createAlbCanaryWorld } from '../../../../../support/moto-alb-canary.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { describeTrafficRouterContract } from '../../ports/traffic-router.contract.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-service';
const release = (version: string, hex: string): ReleaseRef => ({
  version,
  digest: `sha256:${hex.repeat(64)}`,
  artifactKey: `blobs/sha256/${hex.repeat(64)}`,
  commit: hex.repeat(40),
  imageDigest: `sha256:${hex.repeat(63)}f`,
});

/**
 * The shared TrafficRouter contract for ElbTrafficRouter with EcsDeployer: the listener rule and
 * its target groups are moto's ELBv2 (a fresh VPC/ALB/rule per case); ECS is the stateful fake,
 * because moto's UpdateService starts no deployment, so neither a canary's start nor the service's
 * takeover on complete could ever finish there (`advance` is the fake's tick).
 */
describe.runIf(motoEnabled('ElbTrafficRouter contract on moto ELBv2'))(
  'ElbTrafficRouter on moto ELBv2',
  () => {
    let moto: MotoServer;
    let elb: ElasticLoadBalancingV2Client;
    beforeAll(async () => {
      moto = await startMotoServer();
      elb = new ElasticLoadBalancingV2Client(moto.clientConfig);
    }, 60_000);
    afterAll(async () => {
      await moto?.stop();
    });

    const ecs = new ECSClient({ region: 'us-east-1' });
    const stub = mockClient(ecs);

    describeTrafficRouterContract('ElbTrafficRouter (moto ELBv2, stateful fake ECS)', async () => {
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      const world = await createAlbCanaryWorld(moto, { ecs: new ECSClient(moto.clientConfig), elb }, []);
      stub.reset();
      const fake = new FakeEcs('tollgate').install(stub);
      const app = [{ name: 'app', image: 'legacy/orders:1', essential: true }];
      fake.seedService('orders', 'orders', app);
      fake.seedService('orders-canary', 'orders', app);
      await ecs.send(
        new UpdateServiceCommand({ cluster: 'tollgate', service: 'orders-canary', desiredCount: 0 }),
      );
      const config = parseConfig(
        ecsCanaryConfig({
          service: world.canaryService,
          listenerRuleArn: world.listenerRuleArn,
          targetGroupArn: world.targetGroupArn,
          baselineTargetGroupArn: world.baselineTargetGroupArn,
        }),
      );
      return {
        router: new ElbTrafficRouter({ config, ecs, elb }),
        deployer: new EcsDeployer({ config, client: ecs, imageRepositoryUri: REPO }),
        pipeline: 'orders-service',
        environment: 'prod',
        releases: { baseline: release('r1-aaaaaaa', 'a'), canary: release('r2-bbbbbbb', 'b') },
        advance: async () => fake.tick(),
        close: async () => {},
      };
    });

    it("refuses in one line to weight its listener's default rule, which ModifyRule cannot change", async () => {
      // Arrange: deploy.canary names the listener's default rule instead of a rule of its own
      await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
      const world = await createAlbCanaryWorld(moto, { ecs: new ECSClient(moto.clientConfig), elb }, []);
      // `…:listener-rule/app/<lb>/<id>/<listener>/<rule>` → `…:listener/app/<lb>/<id>/<listener>`
      const listenerArn = world.listenerRuleArn
        .replace(':listener-rule/', ':listener/')
        .replace(/\/[^/]+$/, '');
      const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
      const defaultRule = Rules!.find((r) => r.IsDefault)!.RuleArn!;
      const config = parseConfig(
        ecsCanaryConfig({
          service: world.canaryService,
          listenerRuleArn: defaultRule,
          targetGroupArn: world.targetGroupArn,
          baselineTargetGroupArn: world.baselineTargetGroupArn,
        }),
      );
      const router = new ElbTrafficRouter({ config, ecs: new ECSClient(moto.clientConfig), elb });
      const before = await elb.send(new DescribeRulesCommand({ RuleArns: [defaultRule] }));
      // Act
      const aborted = router.abort({
        pipeline: 'orders-service',
        environment: 'prod',
        canaryVersion: 'r2-bbbbbbb',
        reason: 'a test',
      });
      // Assert
      const error = await aborted.catch((e: Error) => e);
      expect(error).toBeInstanceOf(ConfigError);
      await expect(aborted).rejects.toThrow(
        /^listener rule \S+ is its listener's default rule; Tollgate weights a non-default rule$/,
      );
      const after = await elb.send(new DescribeRulesCommand({ RuleArns: [defaultRule] }));
      expect(after.Rules![0]!.Actions).toEqual(before.Rules![0]!.Actions);
    });
  },
);
