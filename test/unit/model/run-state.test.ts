import { describe, expect, it } from 'vitest';
import { RunFold } from '../../../model/run-fold.js';
import { runState } from '../../../model/run-state.js';
import { runHistory } from '../../support/run-history.js';

/** The shared history builder, plus the state the model reads from what was recorded so far. */
function history() {
  const h = runHistory();
  return { ...h, state: () => runState(RunFold.timeline(h.events, { now: 0 })) };
}

describe('runState', () => {
  it('returns queued while the run polls for the pipeline lock, and running once it has its turn', () => {
    // Arrange
    const h = history();
    h.task('AcquireLock', { granted: false });
    h.entered('Choice', 'LockDecision');
    h.exited('Choice', 'LockDecision');
    h.entered('Wait', 'WaitForLock');
    h.exited('Wait', 'WaitForLock');
    h.task('CheckLock', { granted: false });
    h.entered('Choice', 'LockDecision');
    // Act
    const queued = h.state();
    h.exited('Choice', 'LockDecision');
    h.entered('Task', 'Build');
    const building = h.state();
    // Assert
    expect(queued).toEqual({ state: 'queued', environment: null, approvers: [] });
    expect(building.state).toBe('running');
  });

  it('returns queued while the run waits on a task token for the run before it to end', () => {
    // Arrange
    const h = history();
    h.task('AcquireLock', { granted: false });
    h.entered('Choice', 'LockDecision');
    h.exited('Choice', 'LockDecision');
    h.entered('Task', 'WaitForLock');
    h.ev('TaskScheduled', { taskScheduledEventDetails: {} });
    h.ev('TaskSubmitted', { taskSubmittedEventDetails: {} });
    // Act
    const state = h.state();
    // Assert
    expect(state).toEqual({ state: 'queued', environment: null, approvers: [] });
  });

  it('returns waiting, where and for whom, while an approval gate waits for its decision', () => {
    // Arrange
    const h = history();
    h.environment('prod');
    h.entered('Task', 'ApprovalGate');
    h.ev('TaskScheduled', {
      taskScheduledEventDetails: {
        parameters: JSON.stringify({ Payload: { approval: { approvers: ['bob'] } } }),
      },
    });
    h.ev('TaskSubmitted', { taskSubmittedEventDetails: {} });
    // Act
    const state = h.state();
    // Assert
    expect(state).toEqual({ state: 'waiting', environment: 'prod', approvers: ['bob'] });
  });

  it('returns rolled back, and where, when a failed run put an environment back', () => {
    // Arrange
    const h = history();
    h.environment('staging');
    h.entered('Task', 'SmokeTest');
    h.ev('TaskFailed', {
      taskFailedEventDetails: { error: 'Tollgate.SmokeTestFailed', cause: 'GET /health 500' },
    });
    h.entered('Choice', 'RollbackNeeded');
    h.exited('Choice', 'RollbackNeeded');
    h.task('Rollback', { action: 'redeployed', restoredVersion: 'r14', failedVersion: 'r15' });
    h.ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Tollgate.SmokeTestFailed' } });
    // Act
    const state = h.state();
    // Assert
    expect(state).toEqual({ state: 'rolled-back', environment: 'staging', approvers: [] });
  });

  it('returns failed, and where, when nothing was rolled back', () => {
    // Arrange
    const h = history();
    h.environment('test');
    h.entered('Task', 'MigrateDatabase');
    h.ev('TaskFailed', { taskFailedEventDetails: { error: 'Tollgate.MigrationFailed' } });
    h.ev('ExecutionFailed', { executionFailedEventDetails: { error: 'Tollgate.MigrationFailed' } });
    // Act
    const state = h.state();
    // Assert
    expect(state).toEqual({ state: 'failed', environment: 'test', approvers: [] });
  });

  it('returns skipped for a run the config does not deploy, and succeeded otherwise', () => {
    // Arrange
    const skipped = history();
    skipped.ev('ExecutionSucceeded', {
      executionSucceededEventDetails: { output: JSON.stringify({ status: 'SKIPPED', reason: 'branch' }) },
    });
    const succeeded = history();
    succeeded.ev('ExecutionSucceeded', { executionSucceededEventDetails: { output: '{}' } });
    // Act
    const states = [skipped.state().state, succeeded.state().state];
    // Assert
    expect(states).toEqual(['skipped', 'succeeded']);
  });
});
