import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { pollDeployment } from '../../../../../../functions/poll-deployment/poll-deployment.js';
import { finishRollback, startRollback } from '../../../../../../functions/rollback/rollback.js';
import { EcsDeployer, repositoryOf } from '../../../../../../functions/shared/adapters/aws/ecs-deployer.js';
import { DirArtifactStore } from '../../../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { FakeEcs } from '../../../../../support/fake-ecs.js';
import { type DeployerHarness, describeDeployerContract, settle } from '../../ports/deployer.contract.js';

/** Tollgate's ECR repository, where the build pushed every release image. */
const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-service';
/** What the service ran before Tollgate: another repository, which has none of the release digests. */
const BEFORE_TOLLGATE = '210987654321.dkr.ecr.us-east-1.amazonaws.com/orders-legacy';
const config = parseConfig(
  validConfig({
    environments: [
      { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } },
      {
        name: 'prod',
        url: 'https://orders.example.com',
        deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders', containerName: 'app' },
      },
    ],
  }),
);
const release = (version: string, hex: string): ReleaseRef => ({
  version,
  digest: `sha256:${hex.repeat(64)}`,
  artifactKey: `blobs/sha256/${hex.repeat(64)}`,
  commit: hex.repeat(40),
  imageDigest: `sha256:${hex.repeat(63)}f`,
});
const first = release('r1-aaaaaaa', 'a');
const second = release('r2-bbbbbbb', 'b');
const broken = release('r3-ccccccc', 'c');

describe('EcsDeployer', () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => {
    ecs.reset();
  });

  const world = () => {
    const fake = new FakeEcs('tollgate').install(ecs);
    fake.seedService('orders', 'orders', [
      { name: 'app', image: `${BEFORE_TOLLGATE}:bootstrap`, essential: true },
      {
        name: 'log-router',
        image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
        essential: true,
      },
    ]);
    fake.unhealthyImages.add(`${REPO}@${broken.imageDigest}`);
    return {
      fake,
      deployer: new EcsDeployer({
        config,
        client: new ECSClient({ region: 'us-east-1' }),
        imageRepositoryUri: REPO,
      }),
    };
  };

  describeDeployerContract('EcsDeployer (stateful fake ECS)', async (): Promise<DeployerHarness> => {
    const { fake, deployer } = world();
    return {
      deployer,
      pipeline: 'orders-service',
      environment: 'prod',
      releases: { first, second, broken },
      unknownDeploymentId:
        'ecs|prod|ecs-svc/0000000000000000999|arn:aws:ecs:us-east-1:123456789012:task-definition/orders:99',
      advance: async () => fake.tick(),
      close: async () => {},
    };
  });

  it('throws InvalidInput when the image repository URI is missing or carries a tag', () => {
    for (const imageRepositoryUri of [undefined, '', `${REPO}:latest`, 'orders-service']) {
      expect(
        () =>
          new EcsDeployer({
            config,
            client: new ECSClient({}),
            imageRepositoryUri: imageRepositoryUri as never,
          }),
      ).toThrow(/EcsDeployer imageRepositoryUri .* is not a repository URI/);
    }
  });

  it("pins only the app container to the release image digest in Tollgate's repository, not the one the service ran before", async () => {
    // Arrange
    const { fake, deployer } = world();
    // Act
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'arn:x#Deploy',
    });
    // Assert
    const taskDefinition = deploymentId.split('|')[3];
    expect(taskDefinition).toBe('arn:aws:ecs:us-east-1:123456789012:task-definition/orders:2');
    const described = await new ECSClient({ region: 'us-east-1' }).send(
      new DescribeTaskDefinitionCommand({
        taskDefinition,
        include: ['TAGS'],
      }),
    );
    expect(described.taskDefinition?.containerDefinitions?.map((c) => c.image)).toEqual([
      `${REPO}@${first.imageDigest}`,
      'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
    ]);
    expect(described.tags).toContainEqual({ key: 'tollgate:release', value: 'r1-aaaaaaa' });
    expect(fake.calls.filter((c) => c === 'UpdateService')).toHaveLength(1);
  });

  it('reports the circuit-breaker reason and failed task count when the rollout fails', async () => {
    // Arrange
    const { fake, deployer } = world();
    const h = { deployer, advance: async () => fake.tick() } as unknown as DeployerHarness;
    await settle(
      h,
      (
        await deployer.start({
          pipeline: 'orders-service',
          environment: 'prod',
          release: first,
          idempotencyKey: 'k1',
        })
      ).deploymentId,
    );
    // Act
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: broken,
      idempotencyKey: 'k2',
    });
    const status = await settle(h, deploymentId);
    // Assert
    expect(status).toEqual({
      deploymentId,
      state: 'FAILED',
      reason: 'orders: ECS deployment circuit breaker: tasks failed to start. (3 failed tasks)',
      serving: 'r1-aaaaaaa',
    });
  });

  it('reports a completed rollout as HEALTHY after ECS has dropped it from the deployment list', async () => {
    // Arrange
    const { fake, deployer } = world();
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'k1',
    });
    fake.tick();
    fake.tick();
    // Act
    const status = await deployer.poll(deploymentId);
    // Assert
    expect(status).toMatchObject({ state: 'HEALTHY', serving: 'r1-aaaaaaa' });
  });

  it('throws InvalidInput and calls nothing when the release has no image digest', async () => {
    // Arrange
    const { fake, deployer } = world();
    const { imageDigest: _none, ...withoutImage } = first;
    // Act
    const attempt = () =>
      deployer.start({
        pipeline: 'orders-service',
        environment: 'prod',
        release: withoutImage,
        idempotencyKey: 'k1',
      });
    // Assert
    await expect(attempt()).rejects.toThrow(
      /^release r1-aaaaaaa has no image digest; ECS environments need build.image/,
    );
    expect(fake.calls).toEqual([]);
  });

  it('throws InvalidInput and registers nothing when the configured container is not in the task definition', async () => {
    // Arrange
    const { fake } = world();
    const renamed = parseConfig(
      validConfig({
        environments: [
          {
            name: 'prod',
            url: 'https://x.example.com',
            deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders', containerName: 'web' },
          },
        ],
      }),
    );
    const deployer = new EcsDeployer({
      config: renamed,
      client: new ECSClient({ region: 'us-east-1' }),
      imageRepositoryUri: REPO,
    });
    // Act
    const attempt = deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'k1',
    });
    // Assert
    await expect(attempt).rejects.toThrow(
      'container "web" is not in task definition orders; check deploy.containerName for prod',
    );
    expect(fake.calls).not.toContain('RegisterTaskDefinition');
  });

  it('throws NotFound when the service does not exist', async () => {
    // Arrange
    new FakeEcs('tollgate').install(ecs);
    const deployer = new EcsDeployer({
      config,
      client: new ECSClient({ region: 'us-east-1' }),
      imageRepositoryUri: REPO,
    });
    // Act
    const attempt = deployer.current('orders-service', 'prod');
    // Assert
    await expect(attempt).rejects.toThrow(
      'ECS service orders in cluster tollgate is not available (MISSING)',
    );
  });

  it('throws InvalidInput for an environment that deploys to a local process', async () => {
    // Arrange
    const { deployer } = world();
    // Act
    const attempt = deployer.current('orders-service', 'test');
    // Assert
    await expect(attempt).rejects.toThrow('environment "test" deploys to process, not ECS');
  });

  it('records on each revision the task definition the service ran before it', async () => {
    // Arrange
    const { deployer } = world();
    // Act
    const { deploymentId } = await deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'arn:x#Deploy',
    });
    // Assert
    const { tags } = await new ECSClient({ region: 'us-east-1' }).send(
      new DescribeTaskDefinitionCommand({ taskDefinition: deploymentId.split('|')[3], include: ['TAGS'] }),
    );
    expect(tags).toContainEqual({
      key: 'tollgate:previous-task-definition',
      value: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1',
    });
  });

  it("rolls Tollgate's first release back onto the service's own task definition, at full size, when it fails after its rollout", async () => {
    // Arrange
    const { fake, deployer } = world();
    const dir = await mkdtemp(join(tmpdir(), 'ecs-rollback-'));
    const ports = {
      config,
      clock: new ManualClock('2026-03-01T10:00:00.000Z'),
      artifacts: new DirArtifactStore(join(dir, 'artifacts')),
      ledger: new DirLedger(join(dir, 'ledger')),
      deployer,
    };
    const harness = { deployer, advance: async () => fake.tick() } as unknown as DeployerHarness;
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:run-1';
    const task = { executionArn: arn, pipeline: 'orders-service', environment: 'prod', release: first };
    const deployed = await deployer.start({ ...task, idempotencyKey: `${arn}#Deploy#prod` });
    expect((await settle(harness, deployed.deploymentId)).state).toBe('HEALTHY');
    const reason = {
      stage: 'smoke-test',
      error: 'Tollgate.SmokeTestFailed',
      cause: 'GET /health answered 500',
    };

    // Act: what the state machine runs: start, then Wait → poll-deployment until settled, then finish.
    const started = await startRollback({ ...task, stateName: 'Rollback', reason }, ports);
    let rollout = await pollDeployment(
      { ...task, stateName: 'PollRollback', deploymentId: started.deploymentId! },
      ports,
    );
    for (let polls = 1; rollout.state === 'IN_PROGRESS' && polls < 10; polls += 1) {
      fake.tick();
      rollout = await pollDeployment(
        { ...task, stateName: 'PollRollback', deploymentId: started.deploymentId! },
        ports,
      );
    }
    const out = await finishRollback(
      { ...task, stateName: 'FinishRollback', reason, started, rollout },
      ports,
    );

    // Assert
    const bootstrap = 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:1';
    expect(out).toMatchObject({
      action: 'reverted',
      restored: bootstrap,
      restoredVersion: null,
      state: 'HEALTHY',
    });
    const { services } = await new ECSClient({ region: 'us-east-1' }).send(
      new DescribeServicesCommand({ cluster: 'tollgate', services: ['orders'] }),
    );
    expect(services?.[0]).toMatchObject({ taskDefinition: bootstrap, desiredCount: 2 });
    const updates = ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input);
    expect(updates.every((u) => u.desiredCount === undefined)).toBe(true);
    expect(updates.at(-1)).toEqual({ cluster: 'tollgate', service: 'orders', taskDefinition: bootstrap });
    expect((await ports.ledger.query({ kinds: ['rollback'] }))[0].data).toMatchObject({
      action: 'reverted',
      restored: bootstrap,
      state: 'HEALTHY',
    });
    await rm(dir, { recursive: true, force: true });
  });

  it('reverts nothing, and offers no way to scale to zero, when the failed release never reached the service', async () => {
    // Arrange
    const { deployer } = world();
    // Act
    const reverted = await deployer.revert({
      pipeline: 'orders-service',
      environment: 'prod',
      failedVersion: 'r9-9999999',
      idempotencyKey: 'arn:x#Rollback#prod',
    });
    // Assert
    expect(reverted).toBeUndefined();
    expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect('stop' in deployer).toBe(false);
  });
});

describe('repositoryOf', () => {
  it.each([
    ['123.dkr.ecr.us-east-1.amazonaws.com/orders:latest', '123.dkr.ecr.us-east-1.amazonaws.com/orders'],
    ['123.dkr.ecr.us-east-1.amazonaws.com/orders@sha256:abc', '123.dkr.ecr.us-east-1.amazonaws.com/orders'],
    ['registry.local:5000/team/orders', 'registry.local:5000/team/orders'],
    ['registry.local:5000/team/orders:v1', 'registry.local:5000/team/orders'],
  ])('returns the repository of %s', (image, repository) => {
    // Arrange
    // Act
    const result = repositoryOf(image);
    // Assert
    expect(result).toBe(repository);
  });
});
