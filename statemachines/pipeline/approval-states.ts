import { StageId } from '../../model/stage-id.js';
import { ENVIRONMENT_SCOPE, failureRecord } from '../builder/failures.js';
import { choice, pass } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { COMMIT, inEnvironment, RELEASE } from './expressions.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/** The approval gate of an environment that has one: people decide, or the timeout does. */
export const APPROVAL_STATES = {
  ApprovalNeeded: choice(StageId.Approval, {
    Choices: [{ Condition: '{% $exists($env.approval) and $env.approval != null %}', Next: 'ApprovalGate' }],
    Default: 'RefreshNeeded',
  }),
  ApprovalGate: env.lambda({
    stage: StageId.Approval,
    fn: 'request-approval',
    Comment:
      'Waits for people: request-approval stores the pending approval (a hash of the token only), builds the evidence and notifies; the approve function sends the token back once the quorum is met or on the first reject.',
    waitForTaskToken: true,
    payload: inEnvironment({
      release: RELEASE,
      commit: COMMIT,
      approval: '{% $env.approval %}',
      previousEnvironment: "{% $env.previous ? {'name': $env.previous} : null %}",
    }),
    TimeoutSeconds: '{% $env.approval.timeoutSeconds %}',
    Assign: { approval: '{% $states.result %}' },
    Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'RecordApprovalTimeout' }],
    failsTo: 'RollbackNeeded',
    Next: 'RefreshNeeded',
  }),
  RecordApprovalTimeout: env.lambda({
    stage: StageId.Approval,
    fn: 'record-approval-timeout',
    payload: inEnvironment({
      error: 'States.Timeout',
      cause: "{% 'no decision within ' & $string($env.approval.timeoutSeconds) & 's' %}",
    }),
    // The timeout fails the environment either way; recording it is best effort.
    Catch: [{ ErrorEquals: ['States.ALL'], Next: 'ApprovalExpired' }],
    Next: 'ApprovalExpired',
  }),
  ApprovalExpired: pass({
    stage: StageId.Approval,
    Assign: {
      envFailure: failureRecord(
        ENVIRONMENT_SCOPE,
        StageId.Approval,
        "'Tollgate.ApprovalExpired'",
        "'rejected: expired (no decision within ' & $string($env.approval.timeoutSeconds) & 's)'",
      ),
    },
    Next: 'RollbackNeeded',
  }),
};
