import { describe, expect, it } from 'vitest';
import { RunFold } from '../../../model/run-fold.js';
import { listedStages, placedStages } from '../../../model/run-timeline.js';
import { type RunHistory, runHistory } from '../../support/run-history.js';

const started = (h: RunHistory) =>
  h.ev('ExecutionStarted', {
    executionStartedEventDetails: {
      input: JSON.stringify({
        detail: { commit: 'abc', branch: 'main', message: 'm', author: { name: 'ann' } },
      }),
    },
  });

describe('RunFold', () => {
  it('returns one stage per environment with its evidence when a run walks the pipeline', () => {
    // Arrange
    const h = runHistory();
    started(h);
    h.task('Build');
    h.task('RegisterRelease', { version: 'r1', digest: 'sha256:1', artifactKey: 'k' });
    h.entered('Map', 'Environments');
    h.ev('MapIterationStarted', { mapIterationStartedEventDetails: { name: 'Environments', index: 0 } });
    h.entered('Pass', 'EnterEnvironment', { name: 'test' });
    h.exited('Pass', 'EnterEnvironment');
    h.entered('Choice', 'ApprovalNeeded');
    h.exited('Choice', 'ApprovalNeeded');
    h.task('Deploy');
    h.entered('Wait', 'WaitForRollout');
    h.exited('Wait', 'WaitForRollout');
    h.entered('Choice', 'RolloutDecision');
    h.exited('Choice', 'RolloutDecision');
    h.task('SmokeTest', { passed: true, checks: [{ name: 'GET /health', ok: true, status: 200 }] });
    h.ev('MapIterationSucceeded');
    h.ev('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } });
    // Act
    const timeline = RunFold.timeline(h.events, { now: 0 });
    // Assert
    expect(timeline.execution).toMatchObject({
      status: 'SUCCEEDED',
      commit: { commit: 'abc', author: 'ann' },
    });
    expect(placedStages(timeline).map((s) => [s.environment, s.stage, s.status])).toContainEqual([
      'test',
      'approval',
      'skipped',
    ]);
    expect(listedStages(timeline).map((s) => [s.environment, s.stage, s.status])).toEqual([
      [null, 'build', 'succeeded'],
      [null, 'register', 'succeeded'],
      ['test', 'deploy', 'succeeded'],
      ['test', 'smoke-test', 'succeeded'],
    ]);
    expect(listedStages(timeline)[3]!.evidence).toMatchObject([{ kind: 'smoke-tests', passed: true }]);
  });

  it('returns the stage as failed with error and cause when a task fails and the run ends', () => {
    // Arrange
    const h = runHistory();
    h.ev('MapIterationStarted', { mapIterationStartedEventDetails: { index: 0 } });
    h.entered('Pass', 'EnterEnvironment', { name: 'test' });
    h.entered('Task', 'MigrateDatabase');
    h.ev('TaskFailed', { taskFailedEventDetails: { error: 'Tollgate.MigrationFailed', cause: '23505' } });
    h.ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Tollgate.MigrationFailed' } });
    // Act
    const timeline = RunFold.timeline(h.events, { now: 0 });
    // Assert
    expect(listedStages(timeline)).toMatchObject([
      {
        environment: 'test',
        stage: 'migrate',
        status: 'failed',
        error: { error: 'Tollgate.MigrationFailed', cause: '23505' },
      },
    ]);
  });

  it('returns an approval gate as waiting, with its approvers, once its task is submitted', () => {
    // Arrange
    const h = runHistory();
    h.ev('MapIterationStarted', { mapIterationStartedEventDetails: { index: 0 } });
    h.entered('Pass', 'EnterEnvironment', { name: 'prod' });
    h.entered('Task', 'ApprovalGate');
    h.ev('TaskScheduled', {
      taskScheduledEventDetails: {
        parameters: JSON.stringify({
          Payload: { approval: { approvers: ['bob', 'carol'] }, taskToken: 't' },
        }),
      },
    });
    h.ev('TaskSubmitted', { taskSubmittedEventDetails: {} });
    // Act
    const timeline = RunFold.timeline(h.events, { now: 0 });
    // Assert
    expect(listedStages(timeline)).toMatchObject([
      { environment: 'prod', stage: 'approval', status: 'waiting', approvers: ['bob', 'carol'] },
    ]);
  });

  it('returns the publish step as its own stage although it runs through the refresh storage loop', () => {
    // Arrange
    const h = runHistory();
    h.ev('MapIterationStarted', { mapIterationStartedEventDetails: { index: 0 } });
    h.entered('Pass', 'EnterEnvironment', { name: 'test' });
    h.entered('Choice', 'RefreshNeeded');
    h.task('StartStorageStep');
    h.entered('Wait', 'WaitForStorage');
    h.exited('Wait', 'WaitForStorage');
    h.task('PollStorage');
    h.task('RecordRefresh');
    h.task('MaskData');
    h.task('VerifyMasking');
    h.entered('Pass', 'PublishMaskedData');
    h.exited('Pass', 'PublishMaskedData');
    h.task('StartStorageStep');
    h.task('PollStorage');
    h.entered('Choice', 'StorageDecision');
    h.exited('Choice', 'StorageDecision');
    h.task('MigrateDatabase', { applied: [], skipped: [] });
    // Act
    const timeline = RunFold.timeline(h.events, { now: 0 });
    // Assert
    const stages = listedStages(timeline);
    expect(stages.map((s) => s.stage)).toEqual(['refresh', 'mask', 'verify-masking', 'publish', 'migrate']);
    expect(stages[3]!.states).toEqual([
      'PublishMaskedData',
      'StartStorageStep',
      'PollStorage',
      'StorageDecision',
    ]);
  });

  it('keeps folding after it was asked for the run so far', () => {
    // Arrange
    const h = runHistory();
    const fold = new RunFold();
    h.task('Build');
    for (const event of h.events) fold.apply(event);
    const before = fold.timeline({ now: 0 });
    // Act
    fold.apply({ id: 99, previousEventId: 4, type: 'ExecutionAborted', timestamp: 1000 });
    const after = fold.timeline({ now: 0 });
    // Assert
    expect(before.execution.status).toBe('RUNNING');
    expect(after.execution.status).toBe('ABORTED');
    expect(before.before[0]!.status).toBe('succeeded');
  });
});
