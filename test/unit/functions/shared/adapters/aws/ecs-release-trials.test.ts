import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  RunTaskCommand,
  StopTaskCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { EcsReleaseTrials } from '../../../../../../functions/shared/adapters/aws/ecs-release-trials.js';
import { parseConfig } from '../../../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../../../functions/shared/release.js';
import { validConfig } from '../../../../../support/config-fixtures.js';

const config = parseConfig(
  validConfig({
    environments: [
      {
        name: 'test',
        url: 'http://orders-test.internal',
        deploy: { type: 'ecs', cluster: 'apps', service: 'orders-test', containerName: 'app' },
      },
    ],
  }),
);
const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-test:7';
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/apps/0f3b2c4d5e6f';
const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-1'],
    securityGroups: ['sg-1'],
    assignPublicIp: 'DISABLED' as const,
  },
};
const release = (version: string): ReleaseRef => ({
  version,
  commit: 'a'.repeat(40),
  digest: `sha256:${'0'.repeat(64)}`,
  artifactKey: 'k',
});
const request = (version: string) => ({
  pipeline: config.name,
  environment: 'test',
  release: release(version),
  idempotencyKey: 'run-1#StartCompatibilityTrial#test',
});

/**
 * The backward-compatibility trial on ECS: a one-off task of the task definition the environment's
 * service runs, in the service's network. moto 5.2.1's RunTask fails on every awsvpc task (its ENI
 * has no private_dns_name), so the calls are checked here against ECS's documented shapes.
 */
describe('EcsReleaseTrials', () => {
  const ecs = mockClient(ECSClient);
  afterEach(() => ecs.reset());

  function serviceRuns(version: string) {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'orders-test',
          status: 'ACTIVE',
          taskDefinition: TASK_DEFINITION,
          launchType: 'FARGATE',
          platformVersion: 'LATEST',
          networkConfiguration: NETWORK,
          deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: TASK_DEFINITION }],
        },
      ],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: TASK_DEFINITION,
        containerDefinitions: [
          { name: 'log-router', portMappings: [{ containerPort: 2020 }] },
          { name: 'app', portMappings: [{ containerPort: 8080 }] },
        ],
      },
      tags: [{ key: 'tollgate:release', value: version }],
    });
  }
  const task = (over: Partial<Task>): Task => ({
    taskArn: TASK,
    taskDefinitionArn: TASK_DEFINITION,
    group: 'tollgate-trial:test',
    lastStatus: 'PROVISIONING',
    ...over,
  });

  it("runs the service's task definition once in its network, answers on the task's IP and the app container's port, and stops it", async () => {
    // Arrange
    serviceRuns('r1-aaaaaaa');
    ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [task({})] })
      .resolvesOnce({
        tasks: [
          task({
            lastStatus: 'RUNNING',
            healthStatus: 'UNKNOWN',
            containers: [{ name: 'app' }],
            attachments: [
              {
                type: 'ElasticNetworkInterface',
                details: [{ name: 'privateIPv4Address', value: '10.0.3.17' }],
              },
            ],
          }),
        ],
      })
      .resolves({ tasks: [task({ lastStatus: 'RUNNING' })] });
    const trials = new EcsReleaseTrials({ config, client: new ECSClient({}) });

    // Act
    const { trialId } = await trials.start(request('r1-aaaaaaa'));
    const again = await trials.start(request('r1-aaaaaaa'));
    const first = await trials.poll(trialId);
    const ready = await trials.poll(trialId);
    await trials.stop(trialId);

    // Assert
    expect(trialId).toBe(TASK);
    expect(again.trialId).toBe(TASK);
    const runs = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input);
    expect(runs[0]).toMatchObject({
      cluster: 'apps',
      taskDefinition: TASK_DEFINITION,
      count: 1,
      startedBy: 'tollgate-trial',
      group: 'tollgate-trial:test',
      networkConfiguration: NETWORK,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
    });
    // The same idempotency key gives RunTask the same clientToken, so ECS starts one task.
    expect(runs[0]!.clientToken).toMatch(/^[0-9a-f]{64}$/);
    expect(runs[1]!.clientToken).toBe(runs[0]!.clientToken);
    expect(first).toEqual({ trialId: TASK, state: 'STARTING' });
    expect(ready).toEqual({ trialId: TASK, state: 'READY', baseUrl: 'http://10.0.3.17:8080' });
    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'apps',
      task: TASK,
    });
  });

  it('reports a trial that stopped as FAILED with ECS’s reason and the container’s exit', async () => {
    // Arrange
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        task({
          lastStatus: 'STOPPED',
          stoppedReason: 'Essential container in task exited',
          containers: [{ name: 'app', exitCode: 1 }],
        }),
      ],
    });
    const trials = new EcsReleaseTrials({ config, client: new ECSClient({}) });

    // Act
    const status = await trials.poll(TASK);
    await trials.stop(TASK);

    // Assert
    expect(status).toEqual({
      trialId: TASK,
      state: 'FAILED',
      reason: 'the task is STOPPED: Essential container in task exited; app exited 1',
    });
    expect(ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('refuses a release the service does not run, naming what it runs, and starts nothing', async () => {
    // Arrange
    serviceRuns('r1-aaaaaaa');
    const trials = new EcsReleaseTrials({ config, client: new ECSClient({}) });

    // Act
    const call = trials.start(request('r0-0000000'));

    // Assert
    await expect(call).rejects.toThrow(
      'orders-test runs r1-aaaaaaa, not r0-0000000, so no task definition of r0-0000000 is registered for test',
    );
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('refuses a trial id that is not an ECS task ARN in one line and calls nothing', async () => {
    // Arrange
    const trials = new EcsReleaseTrials({ config, client: new ECSClient({}) });

    // Act + Assert
    await expect(trials.poll('trial-1')).rejects.toThrow(
      '"trial-1" is not an ECS task ARN (arn:aws:ecs:…:task/<cluster>/<id>)',
    );
    expect(ecs.calls()).toHaveLength(0);
  });
});
