import { describe, expect, it } from 'vitest';
import { pipelinePerTest, promotedRelease, servedRelease } from '../support/pipeline-scenario.js';

const pipelines = pipelinePerTest();

describe('the pipeline on the local engine', () => {
  it('builds once and promotes the same release through every environment', async () => {
    // Arrange
    const pipeline = await pipelines.open();
    const head = pipeline.repo.commit('change greeting', { 'CHANGELOG.md': 'v2\n' });
    // Act
    const run = await pipeline.start(head);
    const result = await pipeline.finish(run);
    // Assert
    expect(result, JSON.stringify(result)).toMatchObject({ status: 'SUCCEEDED' });
    expect(result.output.environments.map((e: { environment: string }) => e.environment)).toEqual([
      'test',
      'staging',
      'prod',
    ]);
    for (const env of pipeline.config.environments) {
      const port = (env.deploy as { port: number }).port;
      expect(await servedRelease(port)).toMatchObject({
        version: result.output.release,
        digest: result.output.digest,
      });
    }
  });
});

describe('the pipeline on the local engine, when things go wrong', () => {
  it('rolls the environment back and fails the run with stage, error and cause when a release is unhealthy', async () => {
    // Arrange
    const pipeline = await pipelines.open();
    const good = await promotedRelease(pipeline);
    const bad = pipeline.repo.commit('break health', { HEALTH_FAIL: 'yes\n' });
    // Act
    const result = await pipeline.finish(await pipeline.start(bad));
    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Tollgate.DeployFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({ stage: 'deploy', environment: 'test' });
    expect(cause.rolledBack).toBeTruthy();
    for (const env of pipeline.config.environments) {
      expect((await servedRelease((env.deploy as { port: number }).port)).version).toBe(good.output.release);
    }
    const ledger = await pipeline.runner.ports.ledger.query({ pipeline: 'orders-service' });
    expect(ledger.filter((e) => e.kind === 'run-summary').map((e) => e.data.status)).toEqual([
      'SUCCEEDED',
      'FAILED',
    ]);
  });

  it('fails a malformed event as Tollgate.MalformedEvent with a reason and touches nothing', async () => {
    // Arrange
    const pipeline = await pipelines.open();
    const { executionArn } = await pipeline.call('StartExecution', {
      stateMachineArn: pipeline.stateMachineArn,
      input: JSON.stringify({
        source: 'tollgate.git',
        'detail-type': 'Commit Pushed',
        detail: { commit: 'HEAD' },
      }),
    });
    // Act
    const result = await pipeline.finish(executionArn);
    // Assert
    expect(result).toMatchObject({ status: 'FAILED', error: 'Tollgate.MalformedEvent' });
    expect(result.cause).toMatch(/got source=tollgate.git detail-type=Commit Pushed/);
    expect(await pipeline.runner.ports.ledger.query()).toEqual([]);
  });

  it('records a skip with its reason for a branch the pipeline does not build', async () => {
    // Arrange
    const pipeline = await pipelines.open();
    const head = pipeline.repo.commit('on main', { 'A.md': 'a\n' });
    const { executionArn } = await pipeline.call('StartExecution', {
      stateMachineArn: pipeline.stateMachineArn,
      input: JSON.stringify({
        source: 'tollgate.git',
        'detail-type': 'Commit Pushed',
        detail: {
          repository: 'orders-service',
          branch: 'feature/x',
          commit: head,
          author: { name: 'Dev', email: 'dev@example.test' },
          message: 'wip',
          timestamp: '2026-01-01T00:00:00Z',
        },
      }),
    });
    // Act
    const result = await pipeline.finish(executionArn);
    // Assert
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      output: { status: 'SKIPPED', reason: { reason: 'branch-not-configured' } },
    });
    expect(await pipeline.runner.ports.ledger.query({ kinds: ['run-skipped'] })).toHaveLength(1);
  });
});
