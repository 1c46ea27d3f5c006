import { StageId } from '../model/stage-id.js';
import { block } from './builder/declared-state.js';
import { RUN_SCOPE } from './builder/failures.js';
import { choice, fail, map, pass, succeed } from './builder/flow-states.js';
import { type StateMachine, stateMachine } from './builder/state-machine.js';
import { placeholder, taskBuilders } from './builder/task-states.js';
import { ENVIRONMENT_STATES } from './pipeline/environment.js';
import { COMMIT, PAYLOAD, PIPELINE, RELEASE, STARTED_AT } from './pipeline/expressions.js';
import { GUARD_RETRY } from './pipeline/guard-retry.js';

/**
 * The pipeline, declared once. `npm run asl` writes it to statemachines/pipeline.asl.json, which
 * the CDK stack deploys and the local runtime runs; a test fails when that file is stale. The task
 * list (functions/task-registry.ts) and the stage of each state (model/stage-catalogue.ts) are read
 * from these declarations.
 */
const run = taskBuilders(RUN_SCOPE);

const guardPayload = (action: string) => ({
  pipeline: PIPELINE,
  action,
  startedAt: STARTED_AT,
  commit: COMMIT,
});

const NORMALIZE =
  "{% ($e := $states.input; $d := $e.detail; $e.source = 'tollgate.git' and $e.`detail-type` = 'Commit Pushed' ? {'repository': $d.repository, 'branch': $d.branch, 'commit': $d.commit, 'parents': $d.parents ? $d.parents : [], 'author': $d.author, 'message': $d.message, 'timestamp': $d.timestamp, 'attestation': $d.attestation} : $e.source = 'tollgate.cli' and $e.`detail-type` = 'Redeploy Requested' ? {'repository': $d.repository, 'branch': $d.branch, 'commit': $d.commit, 'parents': [], 'author': $d.author, 'message': $d.message, 'timestamp': $d.timestamp, 'redeploy': $d.redeploy} : $e.source = 'aws.codecommit' and $d.event in ['referenceCreated', 'referenceUpdated'] and $d.referenceType = 'branch' ? {'repository': $d.repositoryName, 'branch': $d.referenceName, 'commit': $d.commitId, 'parents': $d.oldCommitId ? [$d.oldCommitId] : [], 'author': {'name': 'unknown', 'email': ''}, 'message': '', 'timestamp': $e.time} : null) %}";
const WELL_FORMED =
  "{% $type($commit) = 'object' and $type($commit.commit) = 'string' and $contains($commit.commit, /^[0-9a-f]{40}$/) and $type($commit.repository) = 'string' and $length($commit.repository) > 0 and $type($commit.branch) = 'string' and $length($commit.branch) > 0 and $type($commit.author.name) = 'string' and $type($commit.timestamp) = 'string' %}";
const MALFORMED_CAUSE =
  "{% 'not a commit event Tollgate understands: expected source tollgate.git with detail-type Commit Pushed (detail.commit 40 lowercase hex, repository, branch, author.name, timestamp) or aws.codecommit referenceCreated/referenceUpdated on a branch; got source=' & $string($states.input.source) & ' detail-type=' & $string($states.input.`detail-type`) %}";

const states = block('Normalize', {
  Normalize: pass({
    stage: StageId.Event,
    Comment:
      "Accepts Tollgate's tollgate.git 'Commit Pushed' event, CodeCommit's 'Repository State Change' event and `tollgate deploy`'s tollgate.cli 'Redeploy Requested' (an existing release's commit plus the redeploy request); ValidateEvent rejects anything else.",
    Assign: { commit: NORMALIZE },
    Next: 'ValidateEvent',
  }),
  ValidateEvent: choice(StageId.Event, {
    Choices: [{ Condition: WELL_FORMED, Next: 'PlanRun' }],
    Default: 'MalformedEvent',
  }),
  MalformedEvent: fail({ stage: StageId.Event, Error: 'Tollgate.MalformedEvent', Cause: MALFORMED_CAUSE }),
  PlanRun: run.lambda({
    stage: StageId.Plan,
    fn: 'plan-run',
    Comment:
      'Resolves the configured pipeline for this commit: environments in order, timeouts, and whether the branch is configured at all.',
    payload: { commit: COMMIT },
    Assign: { plan: PAYLOAD },
    failsTo: 'RunFailed',
    Next: 'PlanDecision',
  }),
  PlanDecision: choice(StageId.Plan, {
    Choices: [
      { Condition: '{% $exists($plan.skip) %}', Assign: { skip: '{% $plan.skip %}' }, Next: 'RecordSkip' },
    ],
    Default: 'AcquireLock',
  }),
  AcquireLock: run.lambda({
    stage: StageId.Queue,
    fn: 'concurrency-guard',
    Comment:
      'queued: one run at a time per pipeline; superseded: a newer commit replaces waiting older runs.',
    payload: guardPayload('acquire'),
    retry: GUARD_RETRY,
    Assign: { guard: PAYLOAD },
    failsTo: 'RecordFailure',
    Next: 'LockDecision',
  }),
  LockDecision: choice(StageId.Queue, {
    Choices: [
      { Condition: "{% $guard.status = 'ACQUIRED' %}", Next: 'BuildNeeded' },
      { Condition: "{% $guard.status = 'WAITING' %}", Next: 'WaitForLock' },
    ],
    Default: 'LockNotGranted',
  }),
  LockNotGranted: pass({
    stage: StageId.Queue,
    Comment: "SUPERSEDED or TIMED_OUT: the run ends with the guard's recorded reason.",
    Assign: {
      skip: "{% {'reason': $lowercase($guard.status), 'detail': $guard.reason, 'supersededBy': $guard.supersededBy} %}",
    },
    Next: 'RecordSkip',
  }),
  WaitForLock: run.lambda({
    stage: StageId.Queue,
    fn: 'concurrency-guard',
    Comment:
      'Sleeps on a task token: the run that frees the lock hands it to the first waiter in commit order and wakes it with SendTaskSuccess, so waiting costs a few history events however long it lasts. The guard stores the token only while the lock is still held as it read it, and answers through the token at once otherwise (no lost wake-up). After $guard.wakeAfterSeconds (concurrency.pollInterval, or what is left of maxWait) the run looks by itself (CheckLock).',
    waitForTaskToken: true,
    payload: guardPayload('wait'),
    TimeoutSeconds: '{% $guard.wakeAfterSeconds %}',
    retry: GUARD_RETRY,
    Assign: { guard: '{% $states.result %}' },
    Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'CheckLock' }],
    failsTo: 'RecordFailure',
    Next: 'LockDecision',
  }),
  CheckLock: run.lambda({
    stage: StageId.Queue,
    fn: 'concurrency-guard',
    payload: guardPayload('check'),
    retry: GUARD_RETRY,
    Assign: { guard: PAYLOAD },
    failsTo: 'RecordFailure',
    Next: 'LockDecision',
  }),
  BuildNeeded: choice(StageId.Register, {
    Comment:
      'A run of tollgate deploy builds nothing: the release exists, and RegisterRelease finds the stored one.',
    Choices: [
      {
        Condition: '{% $exists($commit.redeploy) %}',
        Assign: { build: '{% null %}' },
        Next: 'RegisterRelease',
      },
    ],
    Default: 'Build',
  }),
  Build: run.service({
    stage: StageId.Build,
    Comment:
      'AWS: CodeBuild startBuild.sync. Local: a builder that runs build.command in a clean git worktree of this exact commit. Both leave the tarball at build.artifactKey.',
    resource: placeholder('BuildResource'),
    Arguments: {
      ProjectName: '{% $plan.build.projectName %}',
      SourceVersion: '{% $commit.commit %}',
      EnvironmentVariablesOverride: [
        { Name: 'TOLLGATE_COMMIT', Value: '{% $commit.commit %}', Type: 'PLAINTEXT' },
        { Name: 'TOLLGATE_ARTIFACT_KEY', Value: '{% $plan.build.artifactKey %}', Type: 'PLAINTEXT' },
        { Name: 'TOLLGATE_EXECUTION_ARN', Value: '{% $states.context.Execution.Id %}', Type: 'PLAINTEXT' },
        { Name: 'TOLLGATE_STATE_NAME', Value: '{% $states.context.State.Name %}', Type: 'PLAINTEXT' },
      ],
    },
    Assign: {
      build:
        "{% {'buildId': $states.result.Build.Id, 'artifactKey': $plan.build.artifactKey, 'imageDigest': $states.result.Build.ExportedEnvironmentVariables[Name = 'TOLLGATE_IMAGE_DIGEST'].Value} %}",
    },
    failsTo: 'RecordFailure',
    Next: 'RegisterRelease',
  }),
  RegisterRelease: run.lambda({
    stage: StageId.Register,
    fn: 'register-release',
    Comment:
      'Stores the artifact once, content-addressed, with a monotonic version. Every environment gets this same release.',
    payload: { pipeline: PIPELINE, commit: COMMIT, build: '{% $build %}' },
    Assign: { release: PAYLOAD },
    failsTo: 'RecordFailure',
    Next: 'Environments',
  }),
  Environments: map({
    Comment:
      'Walks the one release through the environments in config order; the first failing environment stops the walk.',
    Items: '{% $plan.environments %}',
    MaxConcurrency: 1,
    body: ENVIRONMENT_STATES,
    Assign: { environments: '{% $states.result %}' },
    Catch: [
      {
        ErrorEquals: ['States.ALL'],
        // The iteration failed through EnvironmentFailed, whose Cause is its $envFailure record.
        Assign: {
          failure:
            "{% ($c := $states.errorOutput.Cause; $p := $c ? $parse($c) : null; $type($p) = 'object' and $exists($p.stage) ? $p : {'stage': 'environments', 'environment': null, 'error': $states.errorOutput.Error, 'cause': $c}) %}",
        },
        Next: 'RecordFailure',
      },
    ],
    Next: 'RecordSuccess',
  }),
  RecordSuccess: run.lambda({
    stage: StageId.Record,
    fn: 'record-run',
    payload: {
      pipeline: PIPELINE,
      status: 'SUCCEEDED',
      commit: COMMIT,
      release: RELEASE,
      environments: '{% $environments %}',
    },
    failsTo: 'RecordFailure',
    Next: 'ReleaseLock',
  }),
  ReleaseLock: run.lambda({
    stage: StageId.ReleaseLock,
    fn: 'concurrency-guard',
    retry: GUARD_RETRY,
    payload: { pipeline: PIPELINE, action: 'release', commit: COMMIT },
    failsTo: 'RunFailed',
    Next: 'Done',
  }),
  Done: succeed({
    Output:
      "{% {'status': 'SUCCEEDED', 'commit': $commit.commit, 'release': $release.version, 'digest': $release.digest, 'environments': $environments} %}",
  }),
  RecordSkip: run.lambda({
    stage: StageId.Record,
    fn: 'record-run',
    Comment:
      'A run that does not go ahead still leaves a record with its reason: nothing is dropped silently.',
    payload: { pipeline: PIPELINE, status: 'SKIPPED', commit: COMMIT, skip: '{% $skip %}' },
    Next: 'Skipped',
  }),
  Skipped: succeed({ Output: "{% {'status': 'SKIPPED', 'commit': $commit.commit, 'reason': $skip} %}" }),
  RecordFailure: run.lambda({
    stage: StageId.Record,
    fn: 'record-run',
    payload: {
      pipeline: PIPELINE,
      status: 'FAILED',
      commit: COMMIT,
      release: '{% $exists($release) ? $release : null %}',
      failure: '{% $failure %}',
    },
    // Recording is best effort here: the lock must be released whatever happens.
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ReleaseLockAfterFailure' }],
    Next: 'ReleaseLockAfterFailure',
  }),
  ReleaseLockAfterFailure: run.lambda({
    stage: StageId.ReleaseLock,
    fn: 'concurrency-guard',
    retry: GUARD_RETRY,
    payload: { pipeline: PIPELINE, action: 'release', commit: COMMIT },
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'RunFailed' }],
    Next: 'RunFailed',
  }),
  RunFailed: fail({
    Error: "{% $failure.error ? $failure.error : 'Tollgate.Failed' %}",
    Cause: '{% $string($failure) %}',
  }),
});

export const PIPELINE_MACHINE = stateMachine(
  {
    Comment:
      'Tollgate pipeline: commit -> build once -> register release -> for each environment in config order: deploy, smoke-test, promote, with rollback on failure. The single source of truth for the flow; resources are placeholder substitutions filled by the CDK stack or the local runtime.',
    TimeoutSeconds: 2592000,
  },
  states,
);

/** A Lambda function the pipeline calls: a folder under functions/ with a `handler.ts`. */
export type TaskName = typeof PIPELINE_MACHINE extends StateMachine<infer F> ? F : never;
