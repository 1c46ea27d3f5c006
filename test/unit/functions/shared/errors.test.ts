import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  LockLostError,
  RunSupersededError,
} from '../../../../functions/concurrency-guard/concurrency-guard.js';
import { FlashArrayError } from '../../../../functions/shared/adapters/aws/flasharray-client.js';
import { ReleaseUnpackError } from '../../../../functions/shared/adapters/local/release-unpacker.js';
import {
  APPROVAL_CANCELLED,
  APPROVAL_REJECTED,
} from '../../../../functions/shared/approvals/deliver-decision.js';
import {
  ApprovalCallbackError,
  ApprovalRefusedError,
  ApprovalStateError,
  isRefusalCode,
  RefusalCode,
} from '../../../../functions/shared/approvals/errors.js';
import {
  BuildFailedError,
  ConfigError,
  DataCheckFailedError,
  DeployFailedError,
  ImmutableConflictError,
  InvalidInputError,
  LockConflictError,
  MaskingFailedError,
  MigrationFailedError,
  NotFoundError,
  NotRollbackSafeError,
  retryableErrorNames,
  SmokeTestFailedError,
  SnapshotFailedError,
  TestsFailedError,
  TOLLGATE_ERRORS,
  TollgateError,
  type TollgateErrorName,
  toError,
  VerificationFailedError,
} from '../../../../functions/shared/errors.js';
import { EventNotDeliveredError, InvalidPushPayloadError } from '../../../../functions/webhook/errors.js';

/** One instance of every class that can surface a `Tollgate.*` name, with the name it must carry. */
const THROWN: Array<[TollgateErrorName, string, boolean, TollgateError]> = [
  ['Tollgate.Error', 'tollgate-error', false, new TollgateError('x')],
  ['Tollgate.InvalidInput', 'invalid-input', false, new InvalidInputError('x')],
  ['Tollgate.ImmutableConflict', 'immutable-conflict', false, new ImmutableConflictError('x')],
  ['Tollgate.NotFound', 'not-found', false, new NotFoundError('x')],
  ['Tollgate.ConfigError', 'config-error', false, new ConfigError('x')],
  ['Tollgate.BuildFailed', 'build-failed', false, new BuildFailedError('x')],
  ['Tollgate.DeployFailed', 'deploy-failed', false, new DeployFailedError('x')],
  ['Tollgate.SmokeTestFailed', 'smoke-test-failed', false, new SmokeTestFailedError('x')],
  ['Tollgate.TestsFailed', 'tests-failed', false, new TestsFailedError('x')],
  ['Tollgate.VerificationFailed', 'verification-failed', false, new VerificationFailedError('x')],
  ['Tollgate.SnapshotFailed', 'snapshot-failed', false, new SnapshotFailedError('x')],
  ['Tollgate.MaskingFailed', 'masking-failed', false, new MaskingFailedError('x')],
  ['Tollgate.MigrationFailed', 'migration-failed', false, new MigrationFailedError('x')],
  ['Tollgate.DataCheckFailed', 'data-check-failed', false, new DataCheckFailedError('x')],
  ['Tollgate.ReleaseUnpackFailed', 'release-unpack-failed', false, new ReleaseUnpackError('x')],
  ['Tollgate.FlashArrayError', 'flasharray-error', false, new FlashArrayError(500, [], 'login')],
  ['Tollgate.LockConflict', 'lock-conflict', true, new LockConflictError('x')],
  ['Tollgate.LockLost', 'lock-lost', false, new LockLostError('x')],
  [
    'Tollgate.Superseded',
    'superseded',
    false,
    new RunSupersededError('x', { executionArn: 'arn', commit: 'c' }),
  ],
  [
    'Tollgate.ApprovalRefused',
    'approval-refused',
    false,
    new ApprovalRefusedError({ code: 'expired', reason: 'r' }),
  ],
  ['Tollgate.ApprovalStateConflict', 'approval-state-conflict', false, new ApprovalStateError('x')],
  [
    'Tollgate.ApprovalCallbackFailed',
    'approval-callback-failed',
    false,
    new ApprovalCallbackError('unavailable', 'x'),
  ],
  ['Tollgate.InvalidPushPayload', 'invalid-push-payload', false, new InvalidPushPayloadError('x')],
  ['Tollgate.EventNotDelivered', 'event-not-delivered', true, new EventNotDeliveredError('x')],
  ['Tollgate.NotRollbackSafe', 'not-rollback-safe', false, new NotRollbackSafeError('x')],
];

describe('TOLLGATE_ERRORS', () => {
  for (const [name, code, retryable, error] of THROWN) {
    it(`gives ${error.constructor.name} the name ${name}, code ${code} and retryable ${retryable}`, () => {
      // Assert
      expect(error).toBeInstanceOf(TollgateError);
      expect(error).toMatchObject({ name, code, retryable });
      expect(TOLLGATE_ERRORS[name]).toEqual({ code, retryable });
    });
  }

  it('lists every name exactly once, thrown by a class, sent with SendTaskFailure or raised by a Fail state', () => {
    // Arrange
    const thrown = THROWN.map(([name]) => name);
    const sent = [APPROVAL_REJECTED, APPROVAL_CANCELLED];
    // The canary loop's Fail record (statemachines/pipeline/canary-states.ts); no task throws it.
    const raised = ['Tollgate.CanaryAborted'];
    // Assert
    expect([...thrown, ...sent, ...raised].sort()).toEqual(Object.keys(TOLLGATE_ERRORS).sort());
    const asl = readFileSync(new URL('../../../../statemachines/pipeline.asl.json', import.meta.url), 'utf8');
    for (const name of raised) expect(asl).toContain(`'${name}'`);
    expect(new Set(thrown).size).toBe(thrown.length);
  });

  it('has stable kebab-case codes, one per name, and ASL-style names', () => {
    // Arrange
    const codes = Object.values(TOLLGATE_ERRORS).map((s) => s.code);
    // Assert
    for (const code of codes) expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(new Set(codes).size).toBe(codes.length);
    for (const name of Object.keys(TOLLGATE_ERRORS)) expect(name).toMatch(/^Tollgate\.[A-Z][A-Za-z]+$/);
  });

  it('names exactly the retryable entries in retryableErrorNames', () => {
    // Act
    const names = retryableErrorNames();
    // Assert
    expect(names).toEqual(['Tollgate.LockConflict', 'Tollgate.EventNotDelivered']);
    for (const name of names) expect(TOLLGATE_ERRORS[name].retryable).toBe(true);
  });
});

describe('TollgateError', () => {
  it('carries details and cause as fields, apart from the message', () => {
    // Arrange
    const cause = new Error('socket closed');
    // Act
    const error = new MigrationFailedError('V3 failed', { cause, details: { version: 'V3' } });
    // Assert
    expect(error.message).toBe('V3 failed');
    expect(error.details).toEqual({ version: 'V3' });
    expect(error.cause).toBe(cause);
  });

  it('has no details when none are given', () => {
    // Assert
    expect(new NotFoundError('gone').details).toBeUndefined();
  });

  it('normalises a thrown string or object at a boundary into a TollgateError', () => {
    // Act
    const fromString = toError('plain');
    const fromObject = toError({ why: 'odd' });
    // Assert
    expect(fromString).toMatchObject({ name: 'Tollgate.Error', code: 'tollgate-error', message: 'plain' });
    expect(fromObject.message).toBe('{"why":"odd"}');
  });
});

describe('ApprovalRefusedError', () => {
  it('carries the refusal code and reason as details', () => {
    // Act
    const error = new ApprovalRefusedError({ code: RefusalCode.RunEnded, reason: 'run r ended' });
    // Assert
    expect(error.details).toEqual({ code: 'run-ended', reason: 'run r ended' });
    expect(error.code).toBe('approval-refused');
  });
});

describe('ApprovalCallbackError', () => {
  it('carries why the callback failed as a field and in details', () => {
    // Act
    const error = new ApprovalCallbackError('task-gone', 'the run is no longer waiting');
    // Assert
    expect(error.reason).toBe('task-gone');
    expect(error.details).toEqual({ reason: 'task-gone' });
  });
});

describe('isRefusalCode', () => {
  it('accepts each refusal code and nothing else', () => {
    // Assert
    for (const code of Object.values(RefusalCode)) expect(isRefusalCode(code)).toBe(true);
    for (const other of ['refused', 'Expired', '', undefined, 403]) expect(isRefusalCode(other)).toBe(false);
  });
});
