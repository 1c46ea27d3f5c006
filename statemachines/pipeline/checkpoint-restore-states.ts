import { StageId } from '../../model/stage-id.js';
import { addToEnvironmentFailure, ENVIRONMENT_SCOPE } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { COMMIT, inEnvironment, NEXT_POLL, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

const SAFETY = 'migration-safety';
const CHECKPOINT = '{% $checkpoint %}';
const ERROR_TEXT = "$states.errorOutput.Error & ': ' & $states.errorOutput.Cause";

/** Goes on to record the offer's outcome, with a detail in JSONata. */
const decided = (outcome: string, detail: string) => ({
  restoreDecision: `{% {'outcome': '${outcome}', 'detail': ${detail}} %}`,
});

/**
 * After a failure past a migration marked `database.breaking` (the app is already rolled back, as
 * far as it could be): the data the old release cannot run on may go back to the checkpoint taken
 * before the migration, but only when an approver confirms it, because the writes since would be
 * lost. migration-safety counts them first and the approval (its own id, its own task token) shows
 * the count; approve → restore through the snapshot provider (start → Wait → poll); reject or
 * timeout → the data stays. Every outcome is a `checkpoint-restore` ledger entry and joins the
 * environment's failure record; the run fails with the failure that started it either way.
 */
export const CHECKPOINT_RESTORE_STATES = {
  CheckpointRestoreNeeded: choice(StageId.RestoreData, {
    Choices: [
      {
        Condition: '{% $exists($checkpoint) and $checkpoint != null and $count($checkpoint.breaking) > 0 %}',
        Next: 'PlanCheckpointRestore',
      },
    ],
    Default: 'EnvironmentFailed',
  }),
  PlanCheckpointRestore: env.lambda({
    stage: StageId.RestoreData,
    fn: SAFETY,
    Comment:
      'Whether a breaking migration was applied, whether approvers and a real copy exist, and how many rows were written since the checkpoint (a restore loses them). A restore not offered is recorded with its reason.',
    payload: inEnvironment({ action: 'restore-plan', release: RELEASE, checkpoint: CHECKPOINT }),
    Assign: { restorePlan: PAYLOAD },
    Catch: [addToEnvironmentFailure('restoreError', 'EnvironmentFailed')],
    Next: 'CheckpointRestoreOffered',
  }),
  CheckpointRestoreOffered: choice(StageId.RestoreData, {
    Choices: [
      { Condition: '{% $restorePlan.offer = true %}', Next: 'RequestRestoreApproval' },
      {
        Condition: '{% $restorePlan.offer != true %}',
        Assign: {
          envFailure:
            "{% $merge([$envFailure, {'checkpointRestore': {'outcome': 'not-offered', 'reason': $restorePlan.reason}}]) %}",
        },
        Next: 'EnvironmentFailed',
      },
    ],
    Default: 'EnvironmentFailed',
  }),
  RequestRestoreApproval: env.lambda({
    stage: StageId.RestoreData,
    fn: 'request-approval',
    Comment:
      "Waits for the environment's approvers to confirm the restore, on an approval of its own (not the gate's), showing the checkpoint and the rows written since.",
    waitForTaskToken: true,
    payload: inEnvironment({
      release: RELEASE,
      commit: COMMIT,
      approval: '{% $env.approval %}',
      purpose: 'restore',
      restore: '{% $restorePlan %}',
    }),
    TimeoutSeconds: '{% $env.approval.timeoutSeconds %}',
    Catch: [
      { ErrorEquals: ['States.Timeout'], Next: 'RecordRestoreApprovalTimeout' },
      {
        ErrorEquals: ['Tollgate.ApprovalRejected', 'Tollgate.ApprovalCancelled'],
        Assign: decided('rejected', ERROR_TEXT),
        Next: 'RecordCheckpointRestore',
      },
      {
        ErrorEquals: ['States.ALL'],
        Assign: decided('restore-failed', ERROR_TEXT),
        Next: 'RecordCheckpointRestore',
      },
    ],
    Next: 'StartCheckpointRestore',
  }),
  RecordRestoreApprovalTimeout: env.lambda({
    stage: StageId.RestoreData,
    fn: 'record-approval-timeout',
    payload: inEnvironment({
      error: 'States.Timeout',
      cause: "{% 'no decision within ' & $string($env.approval.timeoutSeconds) & 's' %}",
      purpose: 'restore',
    }),
    // Recording the expiry is best effort; the data stays either way.
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RestoreApprovalExpired' }],
    Next: 'RestoreApprovalExpired',
  }),
  RestoreApprovalExpired: pass({
    stage: StageId.RestoreData,
    Assign: decided('expired', "'no decision within ' & $string($env.approval.timeoutSeconds) & 's'"),
    Next: 'RecordCheckpointRestore',
  }),
  StartCheckpointRestore: env.lambda({
    stage: StageId.RestoreData,
    fn: SAFETY,
    payload: inEnvironment({ action: 'restore-start', release: RELEASE, checkpoint: CHECKPOINT }),
    Assign: { restoreOp: '{% $states.result.Payload.operation %}', pollAttempt: 0 },
    Catch: [
      {
        ErrorEquals: ['States.ALL'],
        Assign: decided('restore-failed', ERROR_TEXT),
        Next: 'RecordCheckpointRestore',
      },
    ],
    Next: 'PollCheckpointRestore',
  }),
  WaitForCheckpointRestore: wait(StageId.RestoreData, {
    Seconds: '{% $env.storagePollSeconds %}',
    Next: 'PollCheckpointRestore',
  }),
  PollCheckpointRestore: env.lambda({
    stage: StageId.RestoreData,
    fn: SAFETY,
    payload: inEnvironment({ action: 'poll', release: RELEASE, operation: '{% $restoreOp %}' }),
    Assign: { storage: PAYLOAD, pollAttempt: NEXT_POLL },
    Catch: [
      {
        ErrorEquals: ['States.ALL'],
        Assign: decided('restore-failed', ERROR_TEXT),
        Next: 'RecordCheckpointRestore',
      },
    ],
    Next: 'CheckpointRestoreDecision',
  }),
  CheckpointRestoreDecision: choice(StageId.RestoreData, {
    Choices: [
      {
        Condition: "{% $storage.state = 'SUCCEEDED' %}",
        Assign: decided('restored', 'null'),
        Next: 'RecordCheckpointRestore',
      },
      {
        Condition: "{% $storage.state = 'FAILED' or $pollAttempt >= $env.storageMaxPolls %}",
        Assign: decided('restore-failed', "$storage.reason ? $storage.reason : 'restore did not finish'"),
        Next: 'RecordCheckpointRestore',
      },
    ],
    Default: 'WaitForCheckpointRestore',
  }),
  RecordCheckpointRestore: env.lambda({
    stage: StageId.RestoreData,
    fn: SAFETY,
    payload: inEnvironment({
      action: 'restore-record',
      release: RELEASE,
      checkpoint: CHECKPOINT,
      restorePlan: '{% $restorePlan %}',
      outcome: '{% $restoreDecision.outcome %}',
      detail: '{% $restoreDecision.detail %}',
    }),
    Assign: { envFailure: "{% $merge([$envFailure, {'checkpointRestore': $states.result.Payload}]) %}" },
    Catch: [addToEnvironmentFailure('restoreError', 'EnvironmentFailed')],
    Next: 'EnvironmentFailed',
  }),
};
