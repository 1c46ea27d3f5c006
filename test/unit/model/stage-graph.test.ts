import { describe, expect, it } from 'vitest';
import { RunFold } from '../../../model/run-fold.js';
import { stageGraph } from '../../../model/stage-graph.js';
import { runHistory } from '../../support/run-history.js';

const statusOf = (rows: ReturnType<typeof stageGraph>, env: string | null) =>
  Object.fromEntries(rows.find((r) => r.environment === env)!.nodes.map((n) => [n.stage, n.status]));

describe('stageGraph', () => {
  it('returns a row per configured environment with the stages in run order, coloured by the fold', () => {
    // Arrange
    const h = runHistory();
    h.ev('ExecutionStarted', { executionStartedEventDetails: { input: '{}' } });
    h.task('Build');
    h.task('RegisterRelease');
    h.environment('test');
    h.task('MigrateDatabase');
    h.entered('Task', 'Deploy');
    h.ev('TaskFailed', { taskFailedEventDetails: { error: 'Tollgate.DeployFailed', cause: 'unhealthy' } });
    h.ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Tollgate.DeployFailed' } });
    const timeline = RunFold.timeline(h.events, { now: 0 });
    // Act
    const rows = stageGraph(timeline, ['test', 'prod']);
    // Assert
    expect(rows.map((r) => r.environment)).toEqual([null, 'test', 'prod']);
    expect(rows[1]!.nodes.map((n) => n.stage)).toEqual([
      'approval',
      'refresh',
      'mask',
      'verify-masking',
      'publish',
      'migrate',
      'data-checks',
      'deploy',
      'canary',
      'smoke-test',
      'tests',
      'promote',
      'verify',
    ]);
    expect(statusOf(rows, null)).toMatchObject({ build: 'succeeded', register: 'succeeded' });
    expect(statusOf(rows, 'test')).toMatchObject({
      migrate: 'succeeded',
      deploy: 'failed',
      promote: 'not-run',
    });
    expect(Object.values(statusOf(rows, 'prod')).every((s) => s === 'not-run')).toBe(true);
    expect(rows[1]!.nodes.find((n) => n.stage === 'smoke-test')?.label).toBe('smoke test');
  });

  it('returns stages not reached yet as pending while the run goes on, and a rollback only once it ran', () => {
    // Arrange
    const h = runHistory();
    h.ev('ExecutionStarted', { executionStartedEventDetails: { input: '{}' } });
    h.environment('test');
    h.task('Deploy');
    h.task('Rollback');
    h.entered('Task', 'SmokeTest');
    const running = RunFold.timeline(h.events, { now: 10_000 });
    // Act
    const rows = stageGraph(running, ['test']);
    // Assert
    const test = rows.find((r) => r.environment === 'test')!;
    expect(test.nodes.at(-1)).toMatchObject({ stage: 'rollback', status: 'succeeded' });
    expect(test.nodes.some((n) => n.stage === 'restore-data')).toBe(false);
    expect(statusOf(rows, 'test')).toMatchObject({ 'smoke-test': 'running', promote: 'pending' });
  });
});
