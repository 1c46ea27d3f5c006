import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcsDeployer } from '../../../../../../functions/shared/adapters/aws/ecs-deployer.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { ecsCanaryConfig } from '../../../../../support/ecs-canary-fixtures.js';
import { FakeEcs } from '../../../../../support/fake-ecs.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-service';
const release = (version: string, hex: string): ReleaseRef => ({
  version,
  digest: `sha256:${hex.repeat(64)}`,
  artifactKey: `blobs/sha256/${hex.repeat(64)}`,
  commit: hex.repeat(40),
  imageDigest: `sha256:${hex.repeat(63)}f`,
});
const first = release('r1-aaaaaaa', 'a');
const second = release('r2-bbbbbbb', 'b');
const third = release('r3-ccccccc', 'c');
const APP = [{ name: 'app', image: 'legacy/orders:bootstrap', essential: true }];

/**
 * Canary mode against the stateful fake ECS (moto's UpdateService starts no deployment, so a
 * rollout cannot be followed there): the canary service takes the revision, the environment's
 * service and what it serves stay as they were.
 */
describe('EcsDeployer canary mode (stateful fake ECS)', () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => {
    ecs.reset();
  });
  const client = new ECSClient({ region: 'us-east-1' });
  const service = async (name: string) =>
    (await client.send(new DescribeServicesCommand({ cluster: 'tollgate', services: [name] }))).services![0]!;

  const world = async () => {
    const fake = new FakeEcs('tollgate').install(ecs);
    fake.seedService('orders', 'orders', APP);
    fake.seedService('orders-canary', 'orders', APP);
    await client.send(
      new UpdateServiceCommand({ cluster: 'tollgate', service: 'orders-canary', desiredCount: 0 }),
    );
    const deployer = new EcsDeployer({
      config: parseConfig(ecsCanaryConfig()),
      client,
      imageRepositoryUri: REPO,
    });
    const deploy = (r: ReleaseRef, key: string, mode: 'canary' | 'replace' = 'canary') =>
      deployer.start({
        pipeline: 'orders-service',
        environment: 'prod',
        release: r,
        idempotencyKey: key,
        mode,
      });
    return { fake, deployer, deploy };
  };

  it('replaces on the first release: with nothing serving there is no baseline to compare with', async () => {
    // Arrange
    const { fake, deployer, deploy } = await world();
    // Act
    const { deploymentId } = await deploy(first, 'arn:run-1#Deploy');
    fake.tick();
    // Assert
    expect(deploymentId).not.toMatch(/\|canary$/);
    expect((await deployer.poll(deploymentId)).state).toBe('HEALTHY');
    expect(await deployer.current('orders-service', 'prod')).toBe(first.version);
    expect((await service('orders-canary')).desiredCount).toBe(0);
  });

  it('starts the next release on the canary service, as large as the serving one, and leaves the service serving', async () => {
    // Arrange
    const { fake, deployer, deploy } = await world();
    await deploy(first, 'arn:run-1#Deploy');
    fake.tick();
    const before = (await service('orders')).taskDefinition;
    // Act
    const { deploymentId } = await deploy(second, 'arn:run-2#Deploy');
    const starting = await deployer.poll(deploymentId);
    fake.tick();
    const started = await deployer.poll(deploymentId);
    // Assert
    expect(deploymentId).toMatch(/\|canary$/);
    expect(starting).toMatchObject({ state: 'IN_PROGRESS', serving: first.version });
    expect(started).toMatchObject({ state: 'HEALTHY', serving: first.version });
    const canary = await service('orders-canary');
    expect(canary.desiredCount).toBe(2);
    expect(canary.taskDefinition).toBe(deploymentId.split('|')[3]);
    expect((await service('orders')).taskDefinition).toBe(before);
    expect(await deployer.current('orders-service', 'prod')).toBe(first.version);
  });

  it('returns the same canary deployment for a repeated start', async () => {
    // Arrange
    const { fake, deploy } = await world();
    await deploy(first, 'arn:run-1#Deploy');
    fake.tick();
    // Act
    const once = await deploy(second, 'arn:run-2#Deploy');
    const again = await deploy(second, 'arn:run-2#Deploy');
    // Assert
    expect(again).toEqual(once);
    expect(fake.calls.filter((c) => c === 'RegisterTaskDefinition')).toHaveLength(2);
  });

  it('refuses a canary while the canary service still runs another release, and changes nothing', async () => {
    // Arrange
    const { fake, deploy } = await world();
    await deploy(first, 'arn:run-1#Deploy');
    fake.tick();
    await deploy(second, 'arn:run-2#Deploy');
    fake.tick();
    const canaryBefore = await service('orders-canary');
    // Act
    const attempt = deploy(third, 'arn:run-3#Deploy');
    // Assert
    await expect(attempt).rejects.toThrow(
      'canary service orders-canary still runs 2 task(s) of r2-bbbbbbb; abort or complete that canary first',
    );
    expect((await service('orders-canary')).taskDefinition).toBe(canaryBefore.taskDefinition);
  });

  it('refuses canary mode in an environment without deploy.canary', async () => {
    // Arrange
    const fake = new FakeEcs('tollgate').install(ecs);
    fake.seedService('orders', 'orders', APP);
    const config = parseConfig(
      validConfig({
        environments: [
          {
            name: 'prod',
            deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders', containerName: 'app' },
          },
        ],
      }),
    );
    const deployer = new EcsDeployer({ config, client, imageRepositoryUri: REPO });
    // Act
    const attempt = deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'k',
      mode: 'canary',
    });
    // Assert
    await expect(attempt).rejects.toThrow('environment "prod" has no deploy.canary');
    await expect(
      deployer.poll('ecs|prod|ecs-svc/1|arn:aws:ecs:us-east-1:123456789012:task-definition/orders:2|canary'),
    ).rejects.toThrow('ran on a canary service, but "prod" has none');
    expect(fake.calls).toEqual([]);
  });
});
