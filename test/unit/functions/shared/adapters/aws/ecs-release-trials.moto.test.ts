import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EcsReleaseTrials } from '../../../../../../functions/shared/adapters/aws/ecs-release-trials.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import { NotFoundError } from '../../../../../../functions/shared/errors.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { validConfig } from '../../../../../support/config-fixtures.js';
import { ec2, field } from '../../../../../support/moto-alb-canary.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';

const release = (version: string): ReleaseRef => ({
  version,
  commit: 'a'.repeat(40),
  digest: `sha256:${'0'.repeat(64)}`,
  artifactKey: 'k',
});

const config = parseConfig(
  validConfig({
    environments: [
      {
        name: 'test',
        url: 'http://orders-test.internal',
        deploy: { type: 'ecs', cluster: 'tollgate', service: 'orders-test', containerName: 'app' },
      },
    ],
  }),
);

/**
 * The backward-compatibility trial on ECS against moto's ECS and EC2: which release the service runs
 * is read from moto's service and task definition tags. The RunTask itself is checked in
 * ecs-release-trials.test.ts: moto 5.2.1's RunTask fails on every awsvpc task (its ENI model has no
 * private_dns_name), and moto runs no container, so the old release's smoke tests on ECS are not
 * tested anywhere but a real account.
 */
describe.runIf(motoEnabled('EcsReleaseTrials on moto_server'))('EcsReleaseTrials on moto_server', () => {
  let moto: MotoServer;
  let ecs: ECSClient;
  let trials: EcsReleaseTrials;
  let subnet = '';

  beforeAll(async () => {
    // moto reports this many tasks running per service, so the service's deployment is COMPLETED.
    moto = await startMotoServer({ env: { MOTO_ECS_SERVICE_RUNNING: '1' } });
    ecs = new ECSClient(moto.clientConfig);
    trials = new EcsReleaseTrials({ config, client: ecs });
  }, 60_000);
  beforeEach(async () => {
    await fetch(`${moto.endpoint}/moto-api/reset`, { method: 'POST' });
    const vpcId = field(await ec2(moto, { Action: 'CreateVpc', CidrBlock: '10.30.0.0/16' }), 'vpcId');
    subnet = field(
      await ec2(moto, {
        Action: 'CreateSubnet',
        VpcId: vpcId,
        CidrBlock: '10.30.1.0/24',
        AvailabilityZone: 'us-east-1a',
      }),
      'subnetId',
    );
    const group = field(
      await ec2(moto, {
        Action: 'CreateSecurityGroup',
        GroupName: 'orders-test',
        GroupDescription: 'orders test tasks',
        VpcId: vpcId,
      }),
      'groupId',
    );
    await ecs.send(new CreateClusterCommand({ clusterName: 'tollgate' }));
    const definition = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'orders-test',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          // Fargate needs only the task's memory; moto's RunTask adds up the containers' own.
          {
            name: 'app',
            image: 'orders:1',
            essential: true,
            memory: 512,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
        tags: [{ key: 'tollgate:release', value: 'r1-aaaaaaa' }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'tollgate',
        serviceName: 'orders-test',
        taskDefinition: definition.taskDefinition!.taskDefinitionArn!,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: { subnets: [subnet], securityGroups: [group], assignPublicIp: 'DISABLED' },
        },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await moto?.stop();
  });

  const request = (version: string, key = 'run-1#StartCompatibilityTrial#test') => ({
    pipeline: config.name,
    environment: 'test',
    release: release(version),
    idempotencyKey: key,
  });

  it('refuses a release the service does not run, naming what it runs, and starts nothing', async () => {
    // Act
    const call = trials.start(request('r0-0000000'));

    // Assert
    await expect(call).rejects.toThrow(NotFoundError);
    await expect(call).rejects.toThrow(
      'orders-test runs r1-aaaaaaa, not r0-0000000, so no task definition of r0-0000000 is registered for test',
    );
    const listed = await ecs.send(new ListTasksCommand({ cluster: 'tollgate', startedBy: 'tollgate-trial' }));
    expect(listed.taskArns ?? []).toEqual([]);
  });
});
