import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EcsDeployer } from '../../../../../../functions/shared/adapters/aws/ecs-deployer.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const REPO = '123456789012.dkr.ecr.us-east-1.amazonaws.com/orders-service';
const config = parseConfig(
  validConfig({
    environments: [
      { name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } },
      { name: 'prod', deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders', containerName: 'app' } },
    ],
  }),
);
const first = {
  version: 'r1-aaaaaaa',
  digest: `sha256:${'a'.repeat(64)}`,
  artifactKey: `blobs/sha256/${'a'.repeat(64)}`,
  commit: 'a'.repeat(40),
  imageDigest: `sha256:${'a'.repeat(63)}f`,
};

/**
 * The ECS deployer's "previous" against moto's ECS, for what moto serves: task definition tags,
 * the service's task definition. moto's UpdateService changes the service's task definition but
 * creates no deployment (its one deployment stays IN_PROGRESS on the first task definition), so a
 * rollout's start fails here with the deployer's own error and the deployment a revert starts is
 * covered by the stateful fake in ecs-deployer.test.ts instead.
 */
describe.runIf(motoEnabled('EcsDeployer on moto_server'))('EcsDeployer on moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  beforeAll(async () => {
    moto = await startMotoServer();
    ecs = new ECSClient(moto.clientConfig);
  });
  afterAll(async () => {
    await moto?.stop();
  });

  it("records the service's own task definition on Tollgate's first revision and finds it again to roll back to", async () => {
    // Arrange: a service that ran before Tollgate, from another repository.
    await ecs.send(new CreateClusterCommand({ clusterName: 'tollgate' }));
    const own = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'orders',
        containerDefinitions: [
          {
            name: 'app',
            image: '210987654321.dkr.ecr.us-east-1.amazonaws.com/legacy:1',
            environment: [
              { name: 'LOG_LEVEL', value: 'info' },
              { name: 'TOLLGATE_RELEASE_VERSION', value: 'hand-set' },
            ],
            essential: true,
            memory: 256,
          },
        ],
      }),
    );
    const ownArn = own.taskDefinition!.taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'tollgate',
        serviceName: 'orders',
        taskDefinition: ownArn,
        desiredCount: 2,
      }),
    );
    const deployer = new EcsDeployer({ config, client: ecs, imageRepositoryUri: REPO });

    // Act
    const start = deployer.start({
      pipeline: 'orders-service',
      environment: 'prod',
      release: first,
      idempotencyKey: 'arn:run-1#Deploy#prod',
    });
    await expect(start).rejects.toThrow(/did not report a deployment/); // moto's UpdateService gap
    const { services } = await ecs.send(
      new DescribeServicesCommand({ cluster: 'tollgate', services: ['orders'] }),
    );
    const revision = services![0]!.taskDefinition!;
    const reverted = await deployer.revert({
      pipeline: 'orders-service',
      environment: 'prod',
      failedVersion: first.version,
      idempotencyKey: 'arn:run-1#Rollback#prod',
    });

    // Assert
    expect(revision).not.toBe(ownArn);
    const { tags, taskDefinition } = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: revision, include: ['TAGS'] }),
    );
    expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(`${REPO}@${first.imageDigest}`);
    // The app learns its release as it does locally; the service's own variables stay.
    expect(taskDefinition?.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'TOLLGATE_PIPELINE', value: 'orders-service' },
      { name: 'TOLLGATE_ENVIRONMENT', value: 'prod' },
      { name: 'TOLLGATE_RELEASE_VERSION', value: first.version },
      { name: 'TOLLGATE_RELEASE_COMMIT', value: first.commit },
      { name: 'TOLLGATE_RELEASE_DIGEST', value: first.digest },
    ]);
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: 'tollgate:release', value: first.version },
        { key: 'tollgate:previous-task-definition', value: ownArn },
      ]),
    );
    expect(reverted?.restored).toBe(ownArn);
    expect(services![0]!.desiredCount).toBe(2);
  });
});
