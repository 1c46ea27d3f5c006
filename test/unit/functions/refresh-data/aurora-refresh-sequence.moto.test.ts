import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDBClusterCommand, DescribeDBClustersCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PlannedEnvironment } from '../../../../functions/plan-run/plan-run.js';
import { createHandler } from '../../../../functions/refresh-data/handler.js';
import { AuroraCloneSnapshotProvider } from '../../../../functions/shared/adapters/aws/aurora-clone-snapshot-provider.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createEngine, type Engine } from '../../../../runtime/engine/engine.js';
import { ObjectLambdaInvoker } from '../../../../runtime/engine/lambda/object-lambda-invoker.js';
import { localFunctionArn } from '../../../../runtime/function-runner/local-substitutions.js';
import { MemoryStore } from '../../../../runtime/store/memory-store.js';
import { substitute } from '../../../../statemachines/placeholders.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../support/moto-server.js';

/**
 * The pipeline's own storage states, taken verbatim from statemachines/pipeline.asl.json and run on
 * the real engine, with refresh-data wired to the Aurora provider against moto's RDS and Secrets
 * Manager: the step sequence a real refresh walks, not a hand-written copy of it. Only the states
 * that need a reachable Postgres (RecordRefresh, masking) are left out: the sub-definition goes from
 * the clone straight to publish, or to a failure that must restore the environment.
 */
const ASL = await readFile(new URL('../../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');
const STORAGE_STATES = [
  'EnterEnvironment',
  'RefreshNeeded',
  'PlanRefresh',
  'CollectExpiredSnapshots',
  'StartStorageStep',
  'WaitForStorage',
  'PollStorage',
  'StorageDecision',
  'NextStorageStep',
  'StorageFailed',
  'StorageTimedOut',
  'PublishMaskedData',
  'RollbackNeeded',
  'RestoreData',
  'WaitForRestore',
  'PollRestore',
  'RestoreDecision',
  'RollbackAfterRestore',
  'EnvironmentFailed',
] as const;

function storageDefinition(afterClone: 'publish' | 'fail'): string {
  const asl = JSON.parse(
    substitute(ASL, { ...otherArns(), RefreshDataFunctionArn: localFunctionArn('refresh-data') }),
  );
  const inner = asl.States.Environments.ItemProcessor.States;
  const states: Record<string, unknown> = Object.fromEntries(
    STORAGE_STATES.map((name) => [name, inner[name]]),
  );
  states.EnterEnvironment = { ...inner.EnterEnvironment, Next: 'RefreshNeeded' };
  // No migration ran in this slice, so the checkpoint-restore offer (not part of this test) is skipped.
  states.CheckpointRestoreNeeded = { Type: 'Pass', Next: 'EnvironmentFailed' };
  states.RecordRefresh =
    afterClone === 'publish'
      ? { Type: 'Pass', Comment: 'masked and verified (not part of this test)', Next: 'PublishMaskedData' }
      : {
          Type: 'Pass',
          Assign: {
            envFailure: { stage: 'mask', environment: 'test', error: 'Tollgate.MaskingFailed', cause: 'x' },
          },
          Next: 'RollbackNeeded',
        };
  states.MigrateNeeded = { Type: 'Succeed' };
  states.Rollback = { Type: 'Fail', Error: 'Test.NoDeployHere' };
  return JSON.stringify({
    QueryLanguage: 'JSONata',
    StartAt: 'Plan',
    States: {
      Plan: { Type: 'Pass', Assign: { plan: { pipeline: 'orders-service' } }, Next: 'EnterEnvironment' },
      ...states,
    },
  });
}

/** Every other placeholder still needs a binding for substitute(); these tasks are never reached. */
function otherArns(): Record<string, string> {
  const names = [...ASL.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]!);
  return Object.fromEntries(
    names.map((n) => [n, `arn:aws:lambda:us-east-1:000000000000:function:unused-${n}`]),
  );
}

describe.runIf(motoEnabled('Aurora refresh through the pipeline states on moto_server'))(
  'the pipeline storage states with the Aurora provider (moto RDS)',
  () => {
    let moto: MotoServer;
    let rds: RDSClient;
    let secrets: SecretsManagerClient;
    let dir: string;
    let n = 0;

    beforeAll(async () => {
      moto = await startMotoServer();
      rds = new RDSClient(moto.clientConfig);
      secrets = new SecretsManagerClient(moto.clientConfig);
    });
    afterAll(async () => {
      await moto?.stop();
    });
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'aurora-seq-'));
      return () => rm(dir, { recursive: true, force: true });
    });

    /** A source cluster, the environment's own cluster and the secret the environment connects with. */
    async function world() {
      n += 1;
      const source = `orders-prod-${n}`;
      const own = `orders-test-${n}`;
      await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: source,
          Engine: 'aurora-postgresql',
          MasterUsername: 'app',
          MasterUserPassword: 'password123',
        }),
      );
      const created = await rds.send(
        new CreateDBClusterCommand({
          DBClusterIdentifier: own,
          Engine: 'aurora-postgresql',
          MasterUsername: 'app',
          MasterUserPassword: 'password123',
        }),
      );
      const secret = await secrets.send(
        new CreateSecretCommand({
          Name: `tollgate/test-db-${n}`,
          SecretString: JSON.stringify({
            username: 'app',
            password: 'password123',
            host: created.DBCluster?.Endpoint,
            port: 5432,
            dbClusterIdentifier: own,
          }),
        }),
      );
      const config = parseConfig(
        validConfig({
          database: { engine: 'postgres', provider: { type: 'aurora-clone', sourceClusterId: source } },
          environments: [
            {
              name: 'test',
              deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 },
              database: { refresh: true },
            },
            {
              name: 'prod',
              deploy: { type: 'process', command: 'node src/server.mjs', port: 4703 },
              database: {},
            },
          ],
        }),
      );
      const provider = new AuroraCloneSnapshotProvider({
        rds,
        secrets,
        sourceClusterId: source,
        instanceClass: 'db.serverless',
        connectionSecrets: { test: secret.ARN! },
        sourceVolume: config.database!.source,
      });
      const ports = {
        config,
        clock: new ManualClock('2026-03-01T10:00:00.000Z'),
        snapshots: provider,
        ledger: new DirLedger(join(dir, 'ledger')),
      } as unknown as TollgatePorts;
      // The planned environment's fields the storage states read (plan-run's PlannedEnvironment).
      const env: Pick<
        PlannedEnvironment,
        'name' | 'refresh' | 'hasDatabase' | 'storagePollSeconds' | 'storageMaxPolls'
      > = {
        name: 'test',
        refresh: true,
        hasDatabase: true,
        storagePollSeconds: 5,
        storageMaxPolls: 720,
      };
      return { own, secretArn: secret.ARN!, ports, env };
    }

    async function run(definition: string, ports: TollgatePorts, input: unknown) {
      const clock = new FakeEngineClock('2026-03-01T10:00:00.000Z');
      const engine: Engine = createEngine({
        store: new MemoryStore(),
        clock,
        lambda: new ObjectLambdaInvoker({ 'tollgate-refresh-data': createHandler(async () => ports) }),
        region: 'us-east-1',
        accountId: '000000000000',
      });
      await engine.start();
      const { service } = engine;
      const { stateMachineArn } = (await service.dispatch('CreateStateMachine', {
        name: `aurora-${n}`,
        definition,
        roleArn: 'arn:aws:iam::000000000000:role/test',
      })) as { stateMachineArn: string };
      const { executionArn } = (await service.dispatch('StartExecution', {
        stateMachineArn,
        input: JSON.stringify(input),
      })) as { executionArn: string };
      let described: { status: string; error?: string; cause?: string } = { status: 'RUNNING' };
      // Tasks are real HTTP calls to moto: yield to the event loop until the engine is idle, then
      // move the fake clock to the next Wait's due time (no real waiting for Wait states).
      for (let guard = 0; guard < 5_000 && described.status === 'RUNNING'; guard += 1) {
        await new Promise((r) => setTimeout(r, 2));
        described = (await service.dispatch('DescribeExecution', { executionArn })) as typeof described;
        const next = clock.nextTimerAt();
        if (described.status === 'RUNNING' && next !== undefined) clock.advanceTo(next);
      }
      const { events } = (await service.dispatch('GetExecutionHistory', {
        executionArn,
        maxResults: 1000,
      })) as {
        events: Array<{ type: string; taskScheduledEventDetails?: { parameters: string } }>;
      };
      const actions = events
        .filter((e) => e.type === 'TaskScheduled')
        .map(
          (e) =>
            (JSON.parse(e.taskScheduledEventDetails!.parameters) as { Payload: { action: string } }).Payload
              .action,
        );
      await engine.close();
      return { described, actions };
    }

    const clones = async () =>
      ((await rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [])
        .map((c) => c.DBClusterIdentifier!)
        .filter((id) => id.startsWith('tg-test-'));

    const servedCluster = async (secretArn: string) =>
      JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString!)
        .dbClusterIdentifier as string;

    it("refreshes the environment through the provider's own steps, keeping the cluster it served from as the backup", async () => {
      // Arrange
      const { own, secretArn, ports, env } = await world();

      // Act
      const { described, actions } = await run(storageDefinition('publish'), ports, env);

      // Assert
      expect(described.status, described.cause).toBe('SUCCEEDED');
      expect(actions.filter((a) => a !== 'poll')).toEqual([
        'plan',
        'gc',
        'snapshot-source',
        'clone',
        'publish',
      ]);
      const serving = await servedCluster(secretArn);
      expect(serving).toMatch(/^tg-test-[0-9a-f]{12}$/);
      const clusters = (await rds.send(new DescribeDBClustersCommand({}))).DBClusters ?? [];
      expect(clusters.map((c) => c.DBClusterIdentifier)).toEqual(expect.arrayContaining([own, serving]));
    });

    it('puts the environment back on the cluster it served from when the run fails after the clone went live', async () => {
      // Arrange
      const { own, secretArn, ports, env } = await world();
      const before = new Set(await clones());

      // Act
      const { described, actions } = await run(storageDefinition('fail'), ports, env);

      // Assert
      expect(described.status).toBe('FAILED');
      expect(described.error).toBe('Tollgate.MaskingFailed');
      expect(JSON.parse(described.cause!)).toMatchObject({ stage: 'mask', dataRestored: true });
      expect(actions.filter((a) => a !== 'poll')).toEqual([
        'plan',
        'gc',
        'snapshot-source',
        'clone',
        'restore',
      ]);
      expect(await servedCluster(secretArn)).toBe(own);
      expect((await clones()).filter((id) => !before.has(id))).toEqual([]);
    });
  },
);
