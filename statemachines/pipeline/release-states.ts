import { StageId } from '../../model/stage-id.js';
import { ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, NEXT_POLL, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/**
 * The release's way into the environment: its migrations and the data checks on that data, then
 * the deploy (start → Wait → poll until healthy), smoke tests and promotion.
 */
export const RELEASE_STATES = {
  MigrateNeeded: choice(StageId.Migrate, {
    Choices: [{ Condition: '{% $env.hasDatabase %}', Next: 'PlanMigrations' }],
    Default: 'Deploy',
  }),
  MigrateDatabase: env.lambda({
    stage: StageId.Migrate,
    fn: 'migrate-database',
    Comment:
      "The release's own migrations, each in a transaction; on refreshed environments they meet production-like data here first.",
    payload: inEnvironment({
      artifactKey: '{% $release.artifactKey %}',
      releaseVersion: '{% $release.version %}',
      // database.migrate.command runs in the release's unpacked tree, which needs the whole ref.
      release: RELEASE,
    }),
    Assign: { migrations: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'ChecksNeeded',
  }),
  ChecksNeeded: choice(StageId.DataChecks, {
    Choices: [{ Condition: '{% $env.refresh %}', Next: 'CheckData' }],
    Default: 'Deploy',
  }),
  CheckData: env.lambda({
    stage: StageId.DataChecks,
    fn: 'check-data',
    // `command` checks run in the release's unpacked tree, which needs the whole ref.
    payload: inEnvironment({ sourceRowCounts: '{% $sourceRowCounts %}', release: RELEASE }),
    Assign: { checks: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'CompatibilityNeeded',
  }),
  Deploy: env.lambda({
    stage: StageId.Deploy,
    fn: 'deploy',
    payload: inEnvironment({ release: RELEASE }),
    Assign: { deployment: PAYLOAD, deployStarted: true },
    failsTo: 'RollbackNeeded',
    Next: 'PollDeployment',
  }),
  WaitForRollout: wait(StageId.Deploy, { Seconds: '{% $env.pollSeconds %}', Next: 'PollDeployment' }),
  PollDeployment: env.lambda({
    stage: StageId.Deploy,
    fn: 'poll-deployment',
    payload: inEnvironment({ deploymentId: '{% $deployment.deploymentId %}' }),
    Assign: { rollout: PAYLOAD, pollAttempt: NEXT_POLL },
    failsTo: 'RollbackNeeded',
    Next: 'RolloutDecision',
  }),
  RolloutDecision: choice(StageId.Deploy, {
    Choices: [
      { Condition: "{% $rollout.state = 'HEALTHY' %}", Next: 'CanaryNeeded' },
      { Condition: "{% $rollout.state = 'FAILED' %}", Next: 'RolloutFailed' },
      { Condition: '{% $pollAttempt >= $env.maxPollAttempts %}', Next: 'RolloutTimedOut' },
    ],
    Default: 'WaitForRollout',
  }),
  RolloutFailed: pass({
    stage: StageId.Deploy,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Deploy,
        "'Tollgate.DeployFailed'",
        "$rollout.reason ? $rollout.reason : 'the rollout failed'",
      ),
    },
    Next: 'RollbackNeeded',
  }),
  RolloutTimedOut: pass({
    stage: StageId.Deploy,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Deploy,
        "'Tollgate.DeployTimedOut'",
        "'not healthy after ' & $string($pollAttempt) & ' polls; deployTimeout is ' & $string($env.deployTimeoutSeconds) & 's'",
      ),
    },
    Next: 'RollbackNeeded',
  }),
  SmokeTest: env.lambda({
    stage: StageId.SmokeTest,
    fn: 'smoke-test',
    payload: inEnvironment({ release: RELEASE }),
    Assign: { smoke: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'TestsAfterDeployNeeded',
  }),
  Promote: env.lambda({
    stage: StageId.Promote,
    fn: 'promote',
    payload: inEnvironment({
      release: RELEASE,
      evidence:
        "{% {'smokeTests': $smoke, 'tests': $testReports, 'dataChecks': $checks, 'migrations': $migrations, 'masking': $masking, 'approval': $approval} %}",
    }),
    Assign: { promotion: PAYLOAD },
    failsTo: 'RollbackNeeded',
    Next: 'TestsAfterPromoteNeeded',
  }),
  EnvironmentPromoted: pass({
    stage: StageId.Promote,
    Comment: "The iteration's result: what this environment runs now, with its evidence.",
    Output:
      "{% {'environment': $env.name, 'status': 'PROMOTED', 'release': $release.version, 'promotion': $promotion, 'smokeTests': $smoke, 'tests': $testReports, 'verification': $verification, 'dataChecks': $checks, 'migrations': $migrations} %}",
    End: true,
  }),
};
