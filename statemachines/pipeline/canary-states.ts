import { StageId } from '../../model/stage-id.js';
import { addToEnvironmentFailure, ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, NEXT_POLL, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/** The canary's failure record: the step's one-line summary as the cause, the decisive check beside it. */
const CANARY_ABORTED =
  "{% {'stage': 'canary', 'environment': $env.name, 'error': 'Tollgate.CanaryAborted', 'cause': $canary.summary, 'canary': {'step': $canary.step + 1, 'percent': $canary.percent, 'look': $canary.look, 'canaryVersion': $canary.canary, 'baselineVersion': $canary.baseline, 'metric': $canary.decisive.metric, 'value': $canary.decisive.value, 'baseline': $canary.decisive.baseline, 'threshold': $canary.decisive.threshold, 'thresholdKind': $canary.decisive.thresholdKind, 'verdict': $canary.decisive.verdict, 'ledgerSeq': $canary.ledgerSeq}} %}";

/**
 * A canary or linear rollout: the release, healthy beside the serving one (deploy in canary mode),
 * takes each step's share of the traffic, the Wait state lets that traffic arrive, and the analysis
 * compares it with the baseline. A failing step puts the traffic back and the run fails with
 * Tollgate.CanaryAborted; the rollback that follows finds the baseline still serving. No Lambda
 * blocks: every wait is a Wait state.
 */
export const CANARY_STATES = {
  CanaryNeeded: choice(StageId.Canary, {
    Comment:
      'Deploy chose canary mode: the strategy steps traffic and another release serves to compare with. Otherwise (all at once, a first deploy) straight to the smoke tests.',
    Choices: [
      {
        Condition: "{% $deployment.mode = 'canary' %}",
        Assign: { canaryStep: 0, canaryLook: 1, canary: null },
        Next: 'ShiftTraffic',
      },
    ],
    Default: 'SmokeTest',
  }),
  ShiftTraffic: env.lambda({
    stage: StageId.Canary,
    fn: 'shift-traffic',
    payload: inEnvironment({ action: 'shift', release: RELEASE, step: '{% $canaryStep %}' }),
    Assign: { canaryShift: PAYLOAD, canaryLook: 1 },
    failsTo: 'AbortCanary',
    Next: 'WaitForCanary',
  }),
  WaitForCanary: wait(StageId.Canary, {
    Comment: "The step's traffic arrives while the run waits (strategy.interval).",
    Seconds: '{% $env.canary.intervalSeconds %}',
    Next: 'AnalyzeCanary',
  }),
  AnalyzeCanary: env.lambda({
    stage: StageId.Canary,
    fn: 'analyze-canary',
    Comment:
      "Reads every analysis check for the canary and the baseline over the step's window (the shift until now) and judges them.",
    payload: inEnvironment({
      release: RELEASE,
      baseline: '{% $deployment.baseline %}',
      step: '{% $canaryStep %}',
      since: '{% $canaryShift.at %}',
      look: '{% $canaryLook %}',
    }),
    Assign: { canary: PAYLOAD },
    failsTo: 'AbortCanary',
    Next: 'CanaryDecision',
  }),
  CanaryDecision: choice(StageId.Canary, {
    Comment:
      'pass: the next step, or the canary takes all traffic after the last; inconclusive (too few samples): wait another interval (analyze-canary turns the last allowed look into fail); fail: abort.',
    Choices: [
      {
        Condition: "{% $canary.verdict = 'pass' and $canaryStep + 1 < $count($env.canary.steps) %}",
        Assign: { canaryStep: '{% $canaryStep + 1 %}' },
        Next: 'ShiftTraffic',
      },
      { Condition: "{% $canary.verdict = 'pass' %}", Assign: { pollAttempt: 0 }, Next: 'CompleteCanary' },
      {
        Condition: "{% $canary.verdict = 'inconclusive' %}",
        Assign: { canaryLook: '{% $canaryLook + 1 %}' },
        Next: 'WaitForCanary',
      },
    ],
    Default: 'CanaryFailed',
  }),
  CanaryFailed: pass({
    stage: StageId.Canary,
    Assign: { envFailure: CANARY_ABORTED },
    Next: 'AbortCanary',
  }),
  AbortCanary: env.lambda({
    stage: StageId.Canary,
    fn: 'shift-traffic',
    Comment:
      'The baseline takes all traffic again and the canary is stopped, whether the analysis failed or a canary step errored.',
    payload: inEnvironment({
      action: 'abort',
      release: RELEASE,
      step: '{% $canaryStep %}',
      reason: "{% $envFailure.error & ': ' & $string($envFailure.cause) %}",
    }),
    Assign: { envFailure: "{% $merge([$envFailure, {'aborted': $states.result.Payload}]) %}" },
    Catch: [addToEnvironmentFailure('abortError', 'RollbackNeeded')],
    Next: 'RollbackNeeded',
  }),
  CompleteCanary: env.lambda({
    stage: StageId.Canary,
    fn: 'shift-traffic',
    Comment: "Every step passed: the canary takes all traffic and becomes the environment's release.",
    payload: inEnvironment({ action: 'complete', release: RELEASE }),
    Assign: { canaryShift: PAYLOAD, pollAttempt: NEXT_POLL },
    failsTo: 'AbortCanary',
    Next: 'CanaryCompleted',
  }),
  CanaryCompleted: choice(StageId.Canary, {
    Comment:
      "Locally the first call completes. On ECS the environment's service first rolls to the canary's task definition while the canary serves everything; a later call, once that rollout finished, moves the traffic back and idles the canary (its share reads 0).",
    Choices: [
      { Condition: '{% $canaryShift.split.canaryPercent = 0 %}', Next: 'SmokeTest' },
      { Condition: '{% $pollAttempt >= $env.maxPollAttempts %}', Next: 'CanaryCompleteTimedOut' },
    ],
    Default: 'WaitForCanaryCompletion',
  }),
  WaitForCanaryCompletion: wait(StageId.Canary, {
    Seconds: '{% $env.pollSeconds %}',
    Next: 'CompleteCanary',
  }),
  CanaryCompleteTimedOut: pass({
    stage: StageId.Canary,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Canary,
        "'Tollgate.DeployTimedOut'",
        "'the canary still holds ' & $string($canaryShift.split.canaryPercent) & '% of the traffic after ' & $string($pollAttempt) & ' completion polls; deployTimeout is ' & $string($env.deployTimeoutSeconds) & 's'",
      ),
    },
    Next: 'AbortCanary',
  }),
};
