import { describe, expect, it } from 'vitest';
import { stageOf } from '../../../model/stage-of-state.js';

describe('stageOf', () => {
  it('returns the stage a pipeline state was declared with, whatever its name says', () => {
    // Act
    const placed = [
      stageOf('PollRollback', 'Task'),
      stageOf('PollDeployment', 'Task'),
      stageOf('RollbackAfterRestore', 'Choice'),
      stageOf('PublishMaskedData', 'Pass'),
      stageOf('RenewLock', 'Task'),
      stageOf('AcquireLock', 'Task'),
    ];
    // Assert: RollbackAfterRestore says "restore" but decides the rollback.
    expect(placed).toEqual(['rollback', 'deploy', 'rollback', 'publish', 'lock', 'queue']);
  });

  it('places a state it does not name yet by its words, and an unknown task as a stage of its own', () => {
    // Act
    const placed = [
      stageOf('WaitInQueue', 'Wait'),
      stageOf('StartAuroraClone', 'Task'),
      stageOf('RollbackLoopDecision', 'Choice'),
      stageOf('VerifyMaskingAgain', 'Task'),
      stageOf('RunChaosProbe', 'Task'),
      stageOf('SomeRouting', 'Pass'),
      stageOf('EnterEnvironment', 'Pass'),
      stageOf('register-release', 'Task'),
    ];
    // Assert
    expect(placed).toEqual([
      'queue',
      'refresh',
      'rollback',
      'verify-masking',
      'run-chaos-probe',
      null,
      null,
      'register',
    ]);
  });
});
