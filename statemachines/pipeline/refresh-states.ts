import { StageId } from '../../model/stage-id.js';
import { catchAndContinue, ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, NEXT_POLL, PAYLOAD, UNCHANGED } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

const SNAPSHOT = '{% $snapshot %}';
const BACKUP = '{% $backup %}';
const CLONE = '{% $clone %}';
const CURRENT_STEP = '$storageSteps[$storageIndex]';

/**
 * The data refresh: the snapshot provider's storage steps (start → Wait → poll loops), then
 * masking, its verification, and only then publishing the clone as the environment's data.
 */
export const REFRESH_STATES = {
  RefreshNeeded: choice(StageId.Refresh, {
    Choices: [{ Condition: '{% $env.refresh %}', Next: 'PlanRefresh' }],
    Default: 'MigrateNeeded',
  }),
  PlanRefresh: env.lambda({
    stage: StageId.Refresh,
    fn: 'refresh-data',
    Comment:
      "The snapshot provider's own storage steps: local and FlashArray back the environment up first; Aurora keeps the cluster the environment served from and its clone returns it as the backup.",
    payload: inEnvironment({ action: 'plan' }),
    Assign: { storageSteps: '{% $states.result.Payload.steps %}', storageIndex: 0 },
    failsTo: 'RollbackNeeded',
    Next: 'CollectExpiredSnapshots',
  }),
  CollectExpiredSnapshots: env.lambda({
    stage: StageId.Refresh,
    fn: 'refresh-data',
    Comment:
      "Deletes this pipeline's expired snapshots and clones (labels carry a ttl); never blocks the refresh.",
    payload: inEnvironment({ action: 'gc', snapshot: SNAPSHOT, backup: BACKUP }),
    Output: UNCHANGED,
    Catch: [catchAndContinue(['States.ALL'], 'StartStorageStep')],
    Next: 'StartStorageStep',
  }),
  StartStorageStep: env.lambda({
    stage: StageId.Refresh,
    fn: 'refresh-data',
    Comment:
      "Runs $storageSteps[$storageIndex], the provider's plan: backup-target (where the provider backs up first, so a failure can put the environment's data back), snapshot-source, clone (staged where nothing can connect, if the provider can), then, after masking and its verification passed, publish: the masked clone goes live.",
    payload: inEnvironment({
      action: `{% ${CURRENT_STEP} %}`,
      snapshot: SNAPSHOT,
      backup: BACKUP,
      volumes: CLONE,
    }),
    Assign: {
      storageOp: '{% $states.result.Payload.operation %}',
      pollAttempt: 0,
      // The environment's data is replaced once a publish starts, or a clone that could not be staged.
      dataReplaced: `{% $dataReplaced or ${CURRENT_STEP} = 'publish' or (${CURRENT_STEP} = 'clone' and $not($states.result.Payload.operation.resource.staged = true)) %}`,
    },
    failsTo: 'RollbackNeeded',
    Next: 'PollStorage',
  }),
  WaitForStorage: wait(StageId.Refresh, { Seconds: '{% $env.storagePollSeconds %}', Next: 'PollStorage' }),
  PollStorage: env.lambda({
    stage: StageId.Refresh,
    fn: 'refresh-data',
    payload: inEnvironment({
      action: 'poll',
      snapshot: SNAPSHOT,
      backup: BACKUP,
      operation: '{% $storageOp %}',
    }),
    Assign: { storage: PAYLOAD, pollAttempt: NEXT_POLL },
    failsTo: 'RollbackNeeded',
    Next: 'StorageDecision',
  }),
  StorageDecision: choice(StageId.Refresh, {
    Choices: [
      {
        Condition: `{% $storage.state = 'SUCCEEDED' and ${CURRENT_STEP} = 'clone' %}`,
        Assign: {
          clone: '{% $storage.ref %}',
          backup: '{% $exists($storage.backup) ? $storage.backup : $backup %}',
        },
        Next: 'RecordRefresh',
      },
      {
        Condition: `{% $storage.state = 'SUCCEEDED' and ${CURRENT_STEP} = 'publish' %}`,
        Next: 'MigrateNeeded',
      },
      { Condition: "{% $storage.state = 'SUCCEEDED' %}", Next: 'NextStorageStep' },
      { Condition: "{% $storage.state = 'FAILED' %}", Next: 'StorageFailed' },
      { Condition: '{% $pollAttempt >= $env.storageMaxPolls %}', Next: 'StorageTimedOut' },
    ],
    Default: 'WaitForStorage',
  }),
  NextStorageStep: pass({
    stage: StageId.Refresh,
    Assign: {
      backup: `{% ${CURRENT_STEP} = 'backup-target' ? $storage.ref : $backup %}`,
      snapshot: `{% ${CURRENT_STEP} = 'snapshot-source' ? $storage.ref : $snapshot %}`,
      storageIndex: '{% $storageIndex + 1 %}',
    },
    Next: 'StartStorageStep',
  }),
  StorageFailed: pass({
    stage: StageId.Refresh,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Refresh,
        "'Tollgate.SnapshotFailed'",
        `${CURRENT_STEP} & ' failed: ' & ($storage.reason ? $storage.reason : 'no reason given')`,
      ),
    },
    Next: 'RollbackNeeded',
  }),
  StorageTimedOut: pass({
    stage: StageId.Refresh,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Refresh,
        "'Tollgate.SnapshotTimedOut'",
        `${CURRENT_STEP} & ' still running after ' & $string($pollAttempt) & ' polls'`,
      ),
    },
    Next: 'RollbackNeeded',
  }),
  RecordRefresh: env.lambda({
    stage: StageId.Refresh,
    fn: 'refresh-data',
    Comment:
      "Counts the fresh copy's rows before masking (the snapshot's counts) and records which snapshot fed this environment.",
    payload: inEnvironment({ action: 'record', snapshot: SNAPSHOT, backup: BACKUP, volumes: CLONE }),
    Assign: { sourceRowCounts: '{% $states.result.Payload.sourceRowCounts %}' },
    failsTo: 'RollbackNeeded',
    Next: 'MaskData',
  }),
  MaskData: env.lambda({
    stage: StageId.Mask,
    fn: 'mask-data',
    payload: inEnvironment({ volumes: CLONE }),
    Assign: { masking: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'VerifyMasking',
  }),
  VerifyMasking: env.lambda({
    stage: StageId.VerifyMasking,
    fn: 'verify-masking',
    Comment:
      "Negative checks: no masked value still carries a source e-mail domain, row counts unchanged, no clear text left; then the clone's files at rest are searched byte for byte for a sample of the source's original values.",
    payload: inEnvironment({ sourceRowCounts: '{% $sourceRowCounts %}', volumes: CLONE }),
    Assign: { masking: "{% $merge([$masking, {'verification': $states.result.Payload}]) %}" },
    failsTo: 'RollbackNeeded',
    Next: 'PublishMaskedData',
  }),
  PublishMaskedData: pass({
    stage: StageId.Publish,
    Comment:
      "Only now, masked and verified, does the refreshed clone replace the environment's data and become reachable.",
    // publish is the provider's last step; the storage loop above runs it.
    Assign: { storageIndex: '{% $count($storageSteps) - 1 %}' },
    Next: 'StartStorageStep',
  }),
};
