import { StageId } from '../../model/stage-id.js';
import { ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, NEXT_POLL, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

const SAFETY = 'migration-safety';
const PLAN = '{% $migrationPlan %}';

/**
 * Keeps a release's migrations safe to roll back. Before an environment that is not refreshed
 * (prod) migrates, a checkpoint snapshot of its database (start → Wait → poll, as the refresh's
 * storage steps). After a refreshed environment (test) migrated and passed its data checks, the
 * release a rollback would put back runs as a trial on the migrated database and must pass the
 * smoke tests (start → Wait → poll → check); if it cannot, the release is not rollback-safe.
 */
export const MIGRATION_SAFETY_STATES = {
  PlanMigrations: env.lambda({
    stage: StageId.Migrate,
    fn: SAFETY,
    Comment:
      "The release's migrations this database has not applied (from its tollgate_migrations), the ones database.breaking marks, and whether a checkpoint comes first.",
    payload: inEnvironment({ action: 'plan', release: RELEASE }),
    Assign: { migrationPlan: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'CheckpointNeeded',
  }),
  CheckpointNeeded: choice(StageId.Migrate, {
    Choices: [{ Condition: '{% $migrationPlan.checkpoint %}', Next: 'StartCheckpoint' }],
    Default: 'MigrateDatabase',
  }),
  StartCheckpoint: env.lambda({
    stage: StageId.Migrate,
    fn: SAFETY,
    payload: inEnvironment({ action: 'checkpoint', release: RELEASE, plan: PLAN }),
    Assign: {
      checkpointOp: '{% $states.result.Payload.operation %}',
      checkpointTxid: '{% $states.result.Payload.txid %}',
      pollAttempt: 0,
    },
    failsTo: 'RollbackNeeded',
    Next: 'PollCheckpoint',
  }),
  WaitForCheckpoint: wait(StageId.Migrate, {
    Seconds: '{% $env.storagePollSeconds %}',
    Next: 'PollCheckpoint',
  }),
  PollCheckpoint: env.lambda({
    stage: StageId.Migrate,
    fn: SAFETY,
    payload: inEnvironment({ action: 'poll', release: RELEASE, operation: '{% $checkpointOp %}' }),
    Assign: { storage: PAYLOAD, pollAttempt: NEXT_POLL },
    failsTo: 'RollbackNeeded',
    Next: 'CheckpointDecision',
  }),
  CheckpointDecision: choice(StageId.Migrate, {
    Choices: [
      { Condition: "{% $storage.state = 'SUCCEEDED' %}", Next: 'RecordCheckpoint' },
      { Condition: "{% $storage.state = 'FAILED' %}", Next: 'CheckpointFailed' },
      { Condition: '{% $pollAttempt >= $env.storageMaxPolls %}', Next: 'CheckpointFailed' },
    ],
    Default: 'WaitForCheckpoint',
  }),
  CheckpointFailed: pass({
    stage: StageId.Migrate,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Migrate,
        "'Tollgate.SnapshotFailed'",
        "'no checkpoint before migrating: ' & ($storage.reason ? $storage.reason : 'still running after ' & $string($pollAttempt) & ' polls')",
      ),
    },
    Next: 'RollbackNeeded',
  }),
  RecordCheckpoint: env.lambda({
    stage: StageId.Migrate,
    fn: SAFETY,
    payload: inEnvironment({
      action: 'record-checkpoint',
      release: RELEASE,
      plan: PLAN,
      snapshot: '{% $storage.ref %}',
      txid: '{% $checkpointTxid %}',
    }),
    Assign: { checkpoint: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'MigrateDatabase',
  }),
  CompatibilityNeeded: choice(StageId.DataChecks, {
    Comment: 'Only a release that migrated something can have broken the release before it.',
    Choices: [{ Condition: '{% $count($migrations.applied) > 0 %}', Next: 'StartCompatibilityTrial' }],
    Default: 'Deploy',
  }),
  StartCompatibilityTrial: env.lambda({
    stage: StageId.DataChecks,
    fn: SAFETY,
    Comment:
      'Starts the release a rollback would put back (the last promoted here, else in the source environment) on the migrated database, beside the environment and without traffic.',
    payload: inEnvironment({ action: 'trial-start', release: RELEASE, plan: PLAN }),
    Assign: { trial: PAYLOAD, compatibility: PAYLOAD, trialStatus: null, pollAttempt: 0 },
    failsTo: 'RollbackNeeded',
    Next: 'TrialStarted',
  }),
  TrialStarted: choice(StageId.DataChecks, {
    Choices: [{ Condition: "{% $type($trial.trialId) = 'string' %}", Next: 'WaitForTrial' }],
    Default: 'Deploy',
  }),
  WaitForTrial: wait(StageId.DataChecks, { Seconds: '{% $env.pollSeconds %}', Next: 'PollTrial' }),
  PollTrial: env.lambda({
    stage: StageId.DataChecks,
    fn: SAFETY,
    payload: inEnvironment({ action: 'trial-poll', release: RELEASE, trial: '{% $trial %}' }),
    Assign: { trialStatus: PAYLOAD, pollAttempt: NEXT_POLL },
    failsTo: 'RollbackNeeded',
    Next: 'TrialDecision',
  }),
  TrialDecision: choice(StageId.DataChecks, {
    Choices: [
      {
        Condition: "{% $trialStatus.state != 'STARTING' or $pollAttempt >= $env.maxPollAttempts %}",
        Next: 'CheckCompatibility',
      },
    ],
    Default: 'WaitForTrial',
  }),
  CheckCompatibility: env.lambda({
    stage: StageId.DataChecks,
    fn: SAFETY,
    Comment:
      'The smoke tests against the trial, which is then stopped. Fails Tollgate.NotRollbackSafe unless the migration is marked breaking; then the evidence warns that a rollback would need a data restore.',
    payload: inEnvironment({
      action: 'trial-check',
      release: RELEASE,
      plan: PLAN,
      trial: '{% $trial %}',
      status: '{% $trialStatus %}',
    }),
    Assign: { compatibility: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'CompatibilityDecision',
  }),
  CompatibilityDecision: choice(StageId.DataChecks, {
    Comment:
      'pending: a Tollgate restart stopped the trial after it was seen ready; it was started again, so the check waits for it anew.',
    Choices: [
      { Condition: '{% $compatibility.pending = true %}', Assign: { pollAttempt: 0 }, Next: 'WaitForTrial' },
    ],
    Default: 'Deploy',
  }),
};
