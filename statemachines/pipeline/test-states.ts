import { StageId } from '../../model/stage-id.js';
import { ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass, wait } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { inEnvironment, PAYLOAD, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/** The plan's bound for the phase that runs ($testsAfter is 'deploy' or 'promote'). */
const MAX_TEST_POLLS = '$lookup($env.tests, $testsAfter).maxPolls';

/**
 * The environment's test stages (`environments[].tests`), once after the smoke tests (before
 * promote) and once after promote, through the same states: `$testsAfter` says which. The commands
 * run in the release's tree while the run waits between polls (no Lambda blocks on a suite); a
 * failing stage goes to RollbackNeeded, as a failing smoke test does.
 */
export const TEST_STATES = {
  TestsAfterDeployNeeded: choice(StageId.Tests, {
    Choices: [
      {
        Condition: '{% $env.tests.deploy != null %}',
        Assign: { testsAfter: 'deploy' },
        Next: 'StartTests',
      },
    ],
    Default: 'Promote',
  }),
  TestsAfterPromoteNeeded: choice(StageId.Tests, {
    Choices: [
      {
        Condition: '{% $env.tests.promote != null %}',
        Assign: { testsAfter: 'promote' },
        Next: 'StartTests',
      },
    ],
    Default: 'VerifyNeeded',
  }),
  StartTests: env.lambda({
    stage: StageId.Tests,
    fn: 'run-tests',
    Comment: "Starts the phase's test commands in a fresh unpacked tree of the release.",
    payload: inEnvironment({ step: 'start', after: '{% $testsAfter %}', release: RELEASE }),
    Assign: { testRun: PAYLOAD, pollAttempt: 0 },
    failsTo: 'RollbackNeeded',
    // Polled at once, as a rollout and a storage step are: a local suite that ends within the
    // poll's hold (poll-hold.ts) then costs no Wait; on AWS it is one more quick poll.
    Next: 'PollTests',
  }),
  WaitForTests: wait(StageId.Tests, { Seconds: '{% $env.pollSeconds %}', Next: 'PollTests' }),
  PollTests: env.lambda({
    stage: StageId.Tests,
    fn: 'run-tests',
    Comment:
      'Running, or the report; a failed stage throws Tollgate.TestsFailed with the report as evidence.',
    payload: inEnvironment({ step: 'poll', after: '{% $testsAfter %}', runId: '{% $testRun.runId %}' }),
    Assign: { testRun: PAYLOAD, pollAttempt: '{% $pollAttempt + 1 %}' },
    failsTo: 'RollbackNeeded',
    Next: 'TestsDecision',
  }),
  TestsDecision: choice(StageId.Tests, {
    Choices: [
      {
        Condition: "{% $testRun.state = 'FINISHED' and $testsAfter = 'deploy' %}",
        Assign: { testReports: '{% $append($testReports, [$testRun]) %}' },
        Next: 'Promote',
      },
      {
        Condition: "{% $testRun.state = 'FINISHED' %}",
        Assign: { testReports: '{% $append($testReports, [$testRun]) %}' },
        Next: 'VerifyNeeded',
      },
      { Condition: `{% $pollAttempt >= ${MAX_TEST_POLLS} %}`, Next: 'TestsTimedOut' },
    ],
    Default: 'WaitForTests',
  }),
  TestsTimedOut: pass({
    stage: StageId.Tests,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Tests,
        "'Tollgate.TestsFailed'",
        "'the test commands had not finished after ' & $string($pollAttempt) & ' polls'",
      ),
    },
    Next: 'RollbackNeeded',
  }),
};
