import { StageId } from '../../model/stage-id.js';
import { addToEnvironmentFailure, ENVIRONMENT_SCOPE } from '../builder/failures.js';
import { choice, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, NEXT_POLL, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

const ROLLBACK_PAYLOAD = { release: RELEASE, reason: '{% $envFailure %}' };
const RESTORE_PAYLOAD = { snapshot: '{% $snapshot %}', backup: '{% $backup %}' };

/**
 * What a failed environment gets back: its data from the backup (if the refresh replaced it),
 * then its previous release (if a deploy started), then, past a breaking migration and only if an
 * approver confirms, its data from the checkpoint (checkpoint-restore-states.ts). A failure here is added to the environment's
 * failure record; the first failure stays the one the run fails with.
 */
export const RECOVERY_STATES = {
  RollbackNeeded: choice(StageId.Rollback, {
    Comment:
      "Put back what this run changed: the environment's data (if the refresh overwrote it), then its release (if a deploy started).",
    Choices: [
      { Condition: '{% $dataReplaced and $exists($backup) and $backup != null %}', Next: 'RestoreData' },
      { Condition: '{% $deployStarted %}', Next: 'Rollback' },
    ],
    Default: 'CheckpointRestoreNeeded',
  }),
  Rollback: env.lambda({
    stage: StageId.Rollback,
    fn: 'rollback',
    Comment:
      'Decides what to put back and starts it; the rollout is waited for by the loop below, as a deploy is, so no Lambda blocks on it.',
    payload: inEnvironment({ step: 'start', ...ROLLBACK_PAYLOAD }),
    Assign: { rollbackStart: PAYLOAD, rollbackRollout: null, pollAttempt: 0 },
    Catch: [addToEnvironmentFailure('rollbackError', 'CheckpointRestoreNeeded')],
    Next: 'RollbackStarted',
  }),
  RollbackStarted: choice(StageId.Rollback, {
    Choices: [{ Condition: "{% $type($rollbackStart.deploymentId) = 'string' %}", Next: 'PollRollback' }],
    Default: 'FinishRollback',
  }),
  WaitForRollback: wait(StageId.Rollback, { Seconds: '{% $env.pollSeconds %}', Next: 'PollRollback' }),
  PollRollback: env.lambda({
    stage: StageId.Rollback,
    fn: 'poll-deployment',
    payload: inEnvironment({ deploymentId: '{% $rollbackStart.deploymentId %}' }),
    Assign: { rollbackRollout: PAYLOAD, pollAttempt: NEXT_POLL },
    Catch: [addToEnvironmentFailure('rollbackError', 'CheckpointRestoreNeeded')],
    Next: 'RollbackDecision',
  }),
  RollbackDecision: choice(StageId.Rollback, {
    Choices: [
      {
        Condition:
          "{% $rollbackRollout.state = 'HEALTHY' or $rollbackRollout.state = 'FAILED' or $pollAttempt >= $env.maxPollAttempts %}",
        Next: 'FinishRollback',
      },
    ],
    Default: 'WaitForRollback',
  }),
  FinishRollback: env.lambda({
    stage: StageId.Rollback,
    fn: 'rollback',
    Comment:
      "Records the rollback in the ledger with the rollout's outcome; fails (caught) when the rollback's own rollout failed.",
    payload: inEnvironment({
      step: 'finish',
      ...ROLLBACK_PAYLOAD,
      started: '{% $rollbackStart %}',
      rollout: '{% $rollbackRollout %}',
    }),
    Assign: { envFailure: "{% $merge([$envFailure, {'rolledBack': $states.result.Payload}]) %}" },
    Catch: [addToEnvironmentFailure('rollbackError', 'CheckpointRestoreNeeded')],
    Next: 'CheckpointRestoreNeeded',
  }),
  RestoreData: env.lambda({
    stage: StageId.RestoreData,
    fn: 'refresh-data',
    payload: inEnvironment({ action: 'restore', ...RESTORE_PAYLOAD }),
    Assign: { storageOp: '{% $states.result.Payload.operation %}', pollAttempt: 0 },
    Catch: [addToEnvironmentFailure('restoreError', 'RollbackAfterRestore')],
    Next: 'PollRestore',
  }),
  WaitForRestore: wait(StageId.RestoreData, {
    Seconds: '{% $env.storagePollSeconds %}',
    Next: 'PollRestore',
  }),
  PollRestore: env.lambda({
    stage: StageId.RestoreData,
    fn: 'refresh-data',
    payload: inEnvironment({ action: 'poll', ...RESTORE_PAYLOAD, operation: '{% $storageOp %}' }),
    Assign: { storage: PAYLOAD, pollAttempt: NEXT_POLL },
    Catch: [addToEnvironmentFailure('restoreError', 'RollbackAfterRestore')],
    Next: 'RestoreDecision',
  }),
  RestoreDecision: choice(StageId.RestoreData, {
    Choices: [
      {
        Condition: "{% $storage.state = 'SUCCEEDED' %}",
        Assign: { envFailure: "{% $merge([$envFailure, {'dataRestored': true}]) %}" },
        Next: 'RollbackAfterRestore',
      },
      {
        Condition: "{% $storage.state = 'FAILED' or $pollAttempt >= $env.storageMaxPolls %}",
        Assign: {
          envFailure:
            "{% $merge([$envFailure, {'restoreError': $storage.reason ? $storage.reason : 'restore did not finish'}]) %}",
        },
        Next: 'RollbackAfterRestore',
      },
    ],
    Default: 'WaitForRestore',
  }),
  RollbackAfterRestore: choice(StageId.Rollback, {
    Choices: [{ Condition: '{% $deployStarted %}', Next: 'Rollback' }],
    Default: 'EnvironmentFailed',
  }),
};
