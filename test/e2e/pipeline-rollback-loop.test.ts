import { describe, expect, it } from 'vitest';
import {
  enteredStates,
  pipelinePerTest,
  promotedRelease,
  servedRelease,
} from '../support/pipeline-scenario.js';

const pipelines = pipelinePerTest();

describe('rollback on the local engine', () => {
  it("waits for the rollback's rollout in the state machine's own Wait → poll loop, then records its outcome", async () => {
    // Arrange: a promoted release, then one that passes its start-up probe and fails its smoke tests.
    const pipeline = await pipelines.open();
    const good = await promotedRelease(pipeline);
    const bad = pipeline.repo.commit('degrade in test', {
      'src/faults.json': JSON.stringify({ healthDegradesIn: ['test'] }),
    });

    // Act
    const run = await pipeline.start(bad);
    const result = await pipeline.finish(run);

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Tollgate.SmokeTestFailed');
    const cause = JSON.parse(result.cause!);
    expect(cause).toMatchObject({
      stage: 'smoke-test',
      environment: 'test',
      rolledBack: { action: 'redeployed', restoredVersion: good.output.release, state: 'HEALTHY' },
    });
    const entered = await enteredStates(pipeline, run);
    const from = entered.indexOf('Rollback');
    expect(entered.slice(from, from + 4)).toEqual([
      'Rollback',
      'RollbackStarted',
      'PollRollback',
      'RollbackDecision',
    ]);
    expect(entered.slice(from).filter((s) => s === 'FinishRollback')).toHaveLength(1);
    const testPort = (pipeline.config.environments[0]!.deploy as { port: number }).port;
    expect((await servedRelease(testPort)).version).toBe(good.output.release);
    const [entry] = await pipeline.runner.ports.ledger.query({
      pipeline: 'orders-service',
      kinds: ['rollback'],
    });
    expect(entry?.data).toMatchObject({
      action: 'redeployed',
      state: 'HEALTHY',
      failedVersion: expect.any(String),
    });
  });
});
