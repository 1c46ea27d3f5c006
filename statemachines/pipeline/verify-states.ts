import { StageId } from '../../model/stage-id.js';
import { ENVIRONMENT_SCOPE } from '../builder/failures.js';
import { choice, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/**
 * Post-deployment verification (`environments[].verify`): once the environment runs the release,
 * a Wait of `every`, then a round of the verify checks, until the window is over. A failing round
 * fails with Tollgate.VerificationFailed in the verify stage and goes to RollbackNeeded, which puts
 * back the release promoted before (the env pointer's `previous`) and records the rollback with
 * this failure as its reason. No Lambda waits: the window is Wait states.
 */
export const VERIFY_STATES = {
  VerifyNeeded: choice(StageId.Verify, {
    Choices: [{ Condition: '{% $env.verify != null %}', Assign: { verifyRound: 0 }, Next: 'WaitToVerify' }],
    Default: 'EnvironmentPromoted',
  }),
  WaitToVerify: wait(StageId.Verify, { Seconds: '{% $env.verify.everySeconds %}', Next: 'Verify' }),
  Verify: env.lambda({
    stage: StageId.Verify,
    fn: 'smoke-test',
    Comment:
      "One round of the verify checks against the live release (the smoke-test function with verify's checks).",
    payload: inEnvironment({ release: RELEASE, checks: 'verify', round: '{% $verifyRound + 1 %}' }),
    Assign: { verification: PAYLOAD, verifyRound: '{% $verifyRound + 1 %}' },
    failsTo: 'RollbackNeeded',
    Next: 'VerifyDecision',
  }),
  VerifyDecision: choice(StageId.Verify, {
    Choices: [{ Condition: '{% $verifyRound >= $env.verify.rounds %}', Next: 'EnvironmentPromoted' }],
    Default: 'WaitToVerify',
  }),
};
