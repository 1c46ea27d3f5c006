import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pollDeployment } from '../../../../functions/poll-deployment/poll-deployment.js';
import { envPointerKey } from '../../../../functions/promote/env-pointer.js';
import { createHandler } from '../../../../functions/rollback/handler.js';
import {
  finishRollback,
  type RollbackInput,
  type RollbackOutput,
  startRollback,
} from '../../../../functions/rollback/rollback.js';
import { DirArtifactStore } from '../../../../functions/shared/adapters/local/dir-artifact-store.js';
import { DirLedger } from '../../../../functions/shared/adapters/local/dir-ledger.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { parseConfig } from '../../../../functions/shared/config/index.js';
import type { DeploymentStatus, RevertRequest } from '../../../../functions/shared/ports/deployer.js';
import type { TollgatePorts } from '../../../../functions/shared/ports/tollgate-ports.js';
import type { ReleaseRef } from '../../../../functions/shared/release.js';
import { validConfig } from '../../../support/config-fixtures.js';
import { ref, ScriptedDeployer } from '../deploy/scripted-deployer.js';

const arn = 'arn:aws:states:us-east-1:123456789012:execution:tollgate:run-2';
const r1 = ref('r1', 'a');
const r2 = ref('r2', 'b');
const reason = {
  stage: 'smoke-test',
  environment: 'test',
  error: 'Tollgate.SmokeTestFailed',
  cause: '1 of 2 failed',
};

describe('rollback', () => {
  let dir: string;
  let ports: {
    config: ReturnType<typeof parseConfig>;
    clock: ManualClock;
    artifacts: DirArtifactStore;
    deployer: ScriptedDeployer;
    ledger: DirLedger;
  };
  const input = {
    executionArn: arn,
    stateName: 'Rollback',
    pipeline: 'orders-service',
    environment: 'test',
    release: r2,
    reason,
  };
  const pointTo = (release: ReleaseRef, previous: ReleaseRef | null = null) =>
    ports.artifacts.putPointer(envPointerKey('orders-service', 'test'), {
      ...release,
      pipeline: 'orders-service',
      environment: 'test',
      since: '2026-02-01T00:00:00.000Z',
      executionArn: 'arn:earlier',
      stateName: 'Promote',
      previous: previous && {
        ...previous,
        pipeline: 'orders-service',
        environment: 'test',
        since: '2026-01-01T00:00:00.000Z',
        executionArn: 'arn:older',
        stateName: 'Promote',
      },
    });
  const rollbacks = () => ports.ledger.query({ kinds: ['rollback'] });

  /** What the state machine does: start, poll-deployment until settled (Wait states take no time here), finish. */
  async function rollback(event: RollbackInput, p = ports): Promise<RollbackOutput> {
    const started = await startRollback(event, p);
    let rollout: DeploymentStatus | null = null;
    for (
      let poll = 0;
      started.deploymentId && poll < 10 && rollout?.state !== 'HEALTHY' && rollout?.state !== 'FAILED';
      poll += 1
    ) {
      rollout = await pollDeployment(
        { ...event, stateName: 'PollRollback', deploymentId: started.deploymentId },
        p,
      );
    }
    return finishRollback({ ...event, stateName: 'FinishRollback', started, rollout }, p);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollback-'));
    ports = {
      config: parseConfig(validConfig()),
      clock: new ManualClock('2026-03-01T10:00:00.000Z'),
      artifacts: new DirArtifactStore(join(dir, 'artifacts')),
      deployer: new ScriptedDeployer(),
      ledger: new DirLedger(join(dir, 'ledger')),
    };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('redeploys the promoted release and records the rollback when the failed release is serving', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r2);
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toEqual({
      environment: 'test',
      failedVersion: 'r2',
      restoredVersion: 'r1',
      restored: null,
      action: 'redeployed',
      deploymentId: `scripted:${arn}#Rollback#test`,
      state: 'HEALTHY',
      ledgerSeq: expect.any(Number),
    });
    expect(await ports.deployer.current('orders-service', 'test')).toBe('r1');
    expect(ports.deployer.starts.map((s) => s.release)).toEqual([r1]);
    const [entry] = await rollbacks();
    expect(entry).toMatchObject({
      environment: 'test',
      releaseVersion: 'r2',
      executionArn: arn,
      data: { failedVersion: 'r2', restoredVersion: 'r1', reason, action: 'redeployed', state: 'HEALTHY' },
    });
  });

  it('redeploys nothing when the previous release never stopped serving', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r1);
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toMatchObject({ action: 'already-serving', restoredVersion: 'r1' });
    expect(ports.deployer.starts).toEqual([]);
    expect((await rollbacks())[0].data).toMatchObject({ action: 'already-serving', restoredVersion: 'r1' });
  });

  it("restores the pointer's previous release when the failed release is the one the pointer names", async () => {
    // Arrange
    await pointTo(r2, r1);
    ports.deployer.serving.set('test', r2);
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toMatchObject({ action: 'redeployed', restoredVersion: 'r1' });
    expect(ports.deployer.starts[0].release).toEqual(r1);
  });

  it("falls back to the deployer's previous release when the environment was never promoted", async () => {
    // Arrange
    ports.deployer.serving.set('test', r2);
    ports.deployer.before.set('test', r1);
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toMatchObject({ action: 'redeployed', restoredVersion: 'r1', state: 'HEALTHY' });
  });

  it('stops the failed release and records that when there is no previous release', async () => {
    // Arrange
    ports.deployer.serving.set('test', r2);
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toMatchObject({ action: 'stopped', restoredVersion: null });
    expect(ports.deployer.stops).toEqual(['r2']);
    expect((await rollbacks())[0].data).toMatchObject({
      action: 'stopped',
      restoredVersion: null,
      failedVersion: 'r2',
    });
  });

  it('records nothing-running when no release serves and none came before', async () => {
    // Arrange
    // Act
    const out = await rollback(input);
    // Assert
    expect(out).toMatchObject({ action: 'nothing-running', restoredVersion: null });
    expect(ports.deployer.stops).toEqual([]);
  });

  it('records the outcome and throws DeployFailed when the redeploy fails', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer = new ScriptedDeployer(() => 'FAILED');
    ports.deployer.serving.set('test', r2);
    // Act
    const attempt = rollback(input);
    // Assert
    await expect(attempt).rejects.toThrow('rollback of test to r1 failed: r1 is unhealthy');
    await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.DeployFailed' });
    expect((await rollbacks())[0].data).toMatchObject({ state: 'FAILED', rolloutReason: 'r1 is unhealthy' });
  });

  it('starts one redeploy and appends one entry when the same execution and state run again', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r2);
    await rollback(input);
    // Act
    await rollback(input);
    // Assert
    expect(ports.deployer.starts).toHaveLength(1);
    expect(await rollbacks()).toHaveLength(1);
  });

  it('rejects an event without a reason through the handler and rolls nothing back', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r2);
    const handler = createHandler(async () => ports as unknown as TollgatePorts);
    // Act
    const { reason: _omitted, ...withoutReason } = { ...input, step: 'start' };
    const attempt = handler(withoutReason);
    // Assert
    await expect(attempt).rejects.toThrow(/^rollback: invalid input: reason: /);
    expect(ports.deployer.starts).toEqual([]);
    expect(await rollbacks()).toEqual([]);
  });

  it('returns from start with the rollout still in progress: the state machine, not the Lambda, waits for it', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r2);
    // Act
    const started = await startRollback(input, ports);
    // Assert
    expect(started).toMatchObject({ action: 'redeployed', restoredVersion: 'r1' });
    expect(await ports.deployer.current('orders-service', 'test')).toBe('r2');
    expect(await rollbacks()).toEqual([]);
  });

  it('records IN_PROGRESS with the reason when polling stopped before the rollback rollout settled', async () => {
    // Arrange
    await pointTo(r1);
    ports.deployer.serving.set('test', r2);
    const started = await startRollback(input, ports);
    const rollout = { deploymentId: started.deploymentId!, state: 'IN_PROGRESS' as const };
    // Act
    const out = await finishRollback({ ...input, stateName: 'FinishRollback', started, rollout }, ports);
    // Assert
    expect(out).toMatchObject({ action: 'redeployed', state: 'IN_PROGRESS' });
    expect((await rollbacks())[0].data).toMatchObject({
      state: 'IN_PROGRESS',
      rolloutReason: 'the rollback rollout had not finished when polling stopped',
    });
  });

  it('reverts to what ran before the failed rollout, and stops nothing, when the deployer can revert and no release came before', async () => {
    // Arrange
    const reverts: RevertRequest[] = [];
    const deployer = Object.assign(new ScriptedDeployer(), {
      revert: async (request: RevertRequest) => {
        reverts.push(request);
        const { deploymentId } = await deployer.start({
          pipeline: request.pipeline,
          environment: request.environment,
          release: ref('service-own', 'c'),
          idempotencyKey: request.idempotencyKey,
        });
        return { deploymentId, restored: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:7' };
      },
    });
    deployer.serving.set('test', r2);
    // Act
    const out = await rollback(input, { ...ports, deployer });
    // Assert
    expect(out).toMatchObject({
      action: 'reverted',
      restoredVersion: null,
      restored: 'arn:aws:ecs:us-east-1:123456789012:task-definition/orders:7',
      state: 'HEALTHY',
    });
    expect(reverts).toEqual([
      {
        pipeline: 'orders-service',
        environment: 'test',
        failedVersion: 'r2',
        idempotencyKey: `${arn}#Rollback#test`,
      },
    ]);
    expect(deployer.stops).toEqual([]);
    expect((await rollbacks())[0].data).toMatchObject({ action: 'reverted', restored: out.restored });
  });
});
