import { StageId } from '../../model/stage-id.js';
import { block } from '../builder/declared-state.js';
import { ENVIRONMENT_SCOPE } from '../builder/failures.js';
import { fail, pass } from '../builder/flow-states.js';
import { taskBuilders } from '../builder/task-states.js';
import { APPROVAL_STATES } from './approval-states.js';
import { CANARY_STATES } from './canary-states.js';
import { CHECKPOINT_RESTORE_STATES } from './checkpoint-restore-states.js';
import { COMMIT, PIPELINE, UNCHANGED } from './expressions.js';
import { GUARD_RETRY } from './guard-retry.js';
import { MIGRATION_SAFETY_STATES } from './migration-safety-states.js';
import { RECOVERY_STATES } from './recovery-states.js';
import { REFRESH_STATES } from './refresh-states.js';
import { RELEASE_STATES } from './release-states.js';
import { TEST_STATES } from './test-states.js';
import { VERIFY_STATES } from './verify-states.js';

const env = taskBuilders(ENVIRONMENT_SCOPE);

/**
 * One iteration of the environments Map: one environment, in config order. Every variable the
 * iteration assigns starts here, so nothing leaks from the previous environment.
 */
export const ENVIRONMENT_STATES = block('EnterEnvironment', {
  EnterEnvironment: pass({
    Comment:
      'One iteration per configured environment, in config order (MaxConcurrency 1): approval gate, data refresh, migrate, checks, deploy, smoke tests, tests, promote, tests after promote, verify window.',
    Assign: {
      env: '{% $states.input %}',
      deployStarted: false,
      dataReplaced: false,
      pollAttempt: 0,
      snapshot: null,
      backup: null,
      clone: null,
      approval: null,
      storageOp: null,
      smoke: null,
      testsAfter: null,
      testRun: null,
      testReports: [],
      verifyRound: 0,
      verification: null,
      promotion: null,
      sourceRowCounts: null,
      checks: null,
      migrations: null,
      migrationPlan: null,
      checkpoint: null,
      checkpointOp: null,
      checkpointTxid: null,
      trial: null,
      trialStatus: null,
      compatibility: null,
      restorePlan: null,
      restoreOp: null,
      restoreDecision: null,
      masking: null,
      canaryStep: 0,
      canaryLook: 1,
      canaryShift: null,
      canary: null,
      rollbackStart: null,
      rollbackRollout: null,
      envFailure: null,
    },
    Next: 'RenewLock',
  }),
  RenewLock: env.lambda({
    stage: StageId.Lock,
    fn: 'concurrency-guard',
    retry: GUARD_RETRY,
    Comment: "Keeps the pipeline lock's lease alive while this run works through the environments.",
    payload: { pipeline: PIPELINE, action: 'renew', commit: COMMIT },
    Output: UNCHANGED,
    failsTo: 'EnvironmentFailed',
    Next: 'ApprovalNeeded',
  }),
  ...APPROVAL_STATES,
  ...REFRESH_STATES,
  ...RELEASE_STATES,
  ...MIGRATION_SAFETY_STATES,
  ...CANARY_STATES,
  ...TEST_STATES,
  ...VERIFY_STATES,
  ...RECOVERY_STATES,
  ...CHECKPOINT_RESTORE_STATES,
  EnvironmentFailed: fail({ Error: '{% $envFailure.error %}', Cause: '{% $string($envFailure) %}' }),
});
