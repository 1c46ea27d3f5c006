import { afterEach, describe, expect, it } from 'vitest';
import type { GuardState, Waiter } from '../../functions/concurrency-guard/guard-state.js';
import { createLocalPipeline, type LocalPipeline } from '../support/local-pipeline.js';

let pipeline: LocalPipeline | undefined;
afterEach(async () => {
  await pipeline?.close();
  pipeline = undefined;
});

/** Waits on the real engine and function runner until the run holds the pipeline lock. */
async function untilHolding(p: LocalPipeline, executionArn: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const record = await p.runner.ports.locks.get<GuardState>(`guard-${p.config.name}`);
    if (record?.value.holder?.executionArn === executionArn) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${executionArn} never took the lock`);
}

describe('superseded mode on the local engine', () => {
  it('never asks for approval of a run whose gate comes after a newer commit’s run exists', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true, concurrency: 'superseded' });
    const older = await pipeline.start(pipeline.repo.commit('older', { 'E.md': 'e1\n' }));
    await untilHolding(pipeline, older);
    // Act: the newer commit arrives while the older run is still on its way to the prod gate
    const newerCommit = pipeline.repo.commit('newer', { 'E.md': 'e2\n' });
    const newer = await pipeline.start(newerCommit);
    const olderResult = await pipeline.finish(older);
    // Assert
    expect(olderResult).toMatchObject({ status: 'FAILED', error: 'Tollgate.Superseded' });
    expect(olderResult.cause).toContain(`commit ${newerCommit.slice(0, 7)} arrived while this run`);
    const requested = await pipeline.runner.ports.ledger.query({ kinds: ['approval-requested'] });
    expect(requested.filter((e) => e.executionArn === older)).toEqual([]);
    expect(await pipeline.runner.ports.approvals.listPending({ executionArn: older })).toEqual([]);
    // ... and the newer run goes ahead once the older one has let go of the lock
    const lock = await pipeline.runner.ports.locks.get<GuardState>(`guard-${pipeline.config.name}`);
    const queue = await pipeline.runner.ports.locks.list<Waiter>(`guard-${pipeline.config.name}.w.`);
    expect([lock?.value.holder?.executionArn, ...queue.map((w) => w.value.executionArn)]).toContain(newer);
  });

  it('records an event for a commit the repository does not have as a skip, cancelling nothing', async () => {
    // Arrange
    pipeline = await createLocalPipeline({ approval: true, concurrency: 'superseded' });
    const older = await pipeline.start(pipeline.repo.commit('older', { 'E.md': 'e1\n' }));
    await untilHolding(pipeline, older);
    const ghost = 'f'.repeat(40);
    const event = {
      source: 'tollgate.git',
      'detail-type': 'Commit Pushed',
      detail: {
        repository: pipeline.config.source.repository,
        branch: 'main',
        commit: ghost,
        parents: [],
        author: { name: 'Mallory', email: 'mallory@example.com' },
        message: 'does not exist',
        timestamp: '2026-01-01T00:00:00Z',
      },
    };
    // Act
    const { executionArn } = await pipeline.call('StartExecution', {
      stateMachineArn: pipeline.stateMachineArn,
      name: 'run-ghost',
      input: JSON.stringify(event),
    });
    const ghostResult = await pipeline.finish(executionArn);
    // Assert: the ghost run is a recorded skip and the older run still holds the lock, running
    expect(ghostResult.output).toMatchObject({
      status: 'SKIPPED',
      reason: {
        reason: 'unknown-commit',
        detail: `commit ${ghost} does not exist in repository "orders-service"`,
      },
    });
    const lock = await pipeline.runner.ports.locks.get<GuardState>(`guard-${pipeline.config.name}`);
    expect(lock?.value.holder?.executionArn).toBe(older);
    expect((await pipeline.call('DescribeExecution', { executionArn: older })).status).toBe('RUNNING');
    const skips = await pipeline.runner.ports.ledger.query({ kinds: ['run-skipped'] });
    expect(skips.map((e) => e.executionArn)).toContain(executionArn);
  });
});
