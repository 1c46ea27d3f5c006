import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MigrationSafetyInput } from '../../../../functions/migration-safety/input.js';
import { migrationSafety } from '../../../../functions/migration-safety/migration-safety.js';
import { envPointerKey } from '../../../../functions/promote/env-pointer.js';
import { EcsReleaseTrials } from '../../../../functions/shared/adapters/aws/ecs-release-trials.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { systemClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';

const RUN = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:compat-ecs';
const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders-test:7';
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/apps/0f3b2c4d5e6f';
const config = parseConfig({
  name: 'orders',
  source: { repository: 'orders' },
  build: { command: 'true', artifact: 'dist/release.tgz', image: { repository: 'orders' } },
  database: { engine: 'postgres', source: 'prod' },
  environments: [
    {
      name: 'test',
      url: 'http://orders-test.internal',
      deploy: { type: 'ecs', cluster: 'apps', service: 'orders-test', containerName: 'app' },
      database: { refresh: true },
    },
    {
      name: 'prod',
      url: 'https://orders.example.com',
      deploy: { type: 'ecs', cluster: 'apps', service: 'orders-prod', containerName: 'app' },
      database: {},
    },
  ],
});
const release = (version: string): ReleaseRef => ({
  version,
  commit: 'a'.repeat(40),
  digest: `sha256:${'0'.repeat(64)}`,
  artifactKey: `releases/${version}.tgz`,
  imageDigest: `sha256:${'1'.repeat(64)}`,
});

/** The compatibility check in an ECS environment starts its trial through the ECS trials port. */
describe('migration-safety compatibility check on ECS', () => {
  const ecs = mockClient(ECSClient);
  let dir = '';
  let ports: Parameters<typeof migrationSafety>[1] & { ledger: DirLedger };
  const input = (stateName: string): MigrationSafetyInput =>
    ({
      executionArn: RUN,
      stateName,
      pipeline: 'orders',
      environment: 'test',
      action: 'trial-start',
      release: release('r2-bbbbbbb'),
      plan: { pending: ['0003_drop_note'], breaking: [] },
    }) as MigrationSafetyInput;
  const deps = { sleep: async () => undefined, connection: async () => 'unused' };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'compat-ecs-'));
    const artifacts = new DirArtifactStore(join(dir, 'artifacts'));
    // test last got r1 promoted: that is what a rollback would put back.
    await artifacts.putPointer(envPointerKey('orders', 'test'), {
      ...release('r1-aaaaaaa'),
      pipeline: 'orders',
      environment: 'test',
      since: '2026-01-01T00:00:00.000Z',
      executionArn: 'run-1',
      stateName: 'Promote',
      previous: null,
    });
    ports = {
      config,
      clock: systemClock,
      artifacts,
      trials: new EcsReleaseTrials({ config, client: new ECSClient({}) }),
      ledger: new DirLedger(join(dir, 'ledger')),
      snapshots: undefined as never,
    };
  });
  afterEach(async () => {
    ecs.reset();
    await rm(dir, { recursive: true, force: true });
  });

  function serviceRuns(version: string) {
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: 'orders-test',
          status: 'ACTIVE',
          taskDefinition: TASK_DEFINITION,
          launchType: 'FARGATE',
          deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: TASK_DEFINITION }],
        },
      ],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: { taskDefinitionArn: TASK_DEFINITION },
      tags: [{ key: 'tollgate:release', value: version }],
    });
  }

  it('starts the previous release as a one-off task of the service, where the check used to be skipped', async () => {
    // Arrange
    serviceRuns('r1-aaaaaaa');
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }] });

    // Act
    const trial = await migrationSafety(input('StartCompatibilityTrial'), ports, deps);

    // Assert
    expect(trial).toMatchObject({ trialId: TASK, release: { version: 'r1-aaaaaaa' } });
    expect(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input).toMatchObject({
      cluster: 'apps',
      taskDefinition: TASK_DEFINITION,
    });
    expect(await ports.ledger.query({ kinds: ['compatibility-check'] })).toEqual([]);
  });

  it('records the check skipped, with why, when the service no longer runs the previous release', async () => {
    // Arrange
    serviceRuns('r0-0000000');

    // Act
    const trial = await migrationSafety(input('StartCompatibilityTrial-2'), ports, deps);

    // Assert
    const reason =
      'orders-test runs r0-0000000, not r1-aaaaaaa, so no task definition of r1-aaaaaaa is registered for test';
    expect(trial).toEqual({ trialId: null, skipped: reason });
    const [entry] = await ports.ledger.query({ kinds: ['compatibility-check'] });
    expect(entry).toMatchObject({ environment: 'test', data: { result: 'skipped', reason } });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });
});
