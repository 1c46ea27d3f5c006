/**
 * Errors the state machine can see. `name` equals the ASL error name so Retry/Catch can match it
 * (a Lambda error surfaces as `errorType` = `name`, `errorMessage` = `message`; no other field
 * crosses that boundary, which is why retryability is a property of the name).
 */

/** What an ASL error name means: a stable code for people and logs, and whether a Retry may help. */
export interface ErrorSpec {
  /** Stable, kebab-case; never changes once shipped (logs and dashboards key on it). */
  readonly code: string;
  /** True when the same input may succeed on a later attempt (a race, an unavailable dependency). */
  readonly retryable: boolean;
}

/**
 * Every `Tollgate.*` error name a task can surface, with its code and retryability: the single
 * source the pipeline's Retry/Catch blocks are generated from. A class elsewhere that sets a name
 * missing here does not compile (`TollgateError.name` is typed by this table).
 */
export const TOLLGATE_ERRORS = {
  'Tollgate.Error': { code: 'tollgate-error', retryable: false },
  'Tollgate.InvalidInput': { code: 'invalid-input', retryable: false },
  'Tollgate.ImmutableConflict': { code: 'immutable-conflict', retryable: false },
  'Tollgate.NotFound': { code: 'not-found', retryable: false },
  'Tollgate.ConfigError': { code: 'config-error', retryable: false },
  'Tollgate.BuildFailed': { code: 'build-failed', retryable: false },
  'Tollgate.DeployFailed': { code: 'deploy-failed', retryable: false },
  'Tollgate.SmokeTestFailed': { code: 'smoke-test-failed', retryable: false },
  // A test stage's command failed, timed out, reported failing tests or missed a threshold.
  'Tollgate.TestsFailed': { code: 'tests-failed', retryable: false },
  // A post-deployment check failed inside the verify window: the environment is rolled back.
  'Tollgate.VerificationFailed': { code: 'verification-failed', retryable: false },
  'Tollgate.SnapshotFailed': { code: 'snapshot-failed', retryable: false },
  'Tollgate.MaskingFailed': { code: 'masking-failed', retryable: false },
  'Tollgate.MigrationFailed': { code: 'migration-failed', retryable: false },
  'Tollgate.DataCheckFailed': { code: 'data-check-failed', retryable: false },
  // The previous release failed its smoke tests on the migrated schema: a rollback would break it.
  'Tollgate.NotRollbackSafe': { code: 'not-rollback-safe', retryable: false },
  // Raised by the pipeline's Fail state, never thrown: a canary step's analysis failed (or stayed
  // inconclusive) and its traffic went back to the baseline.
  'Tollgate.CanaryAborted': { code: 'canary-aborted', retryable: false },
  'Tollgate.ReleaseUnpackFailed': { code: 'release-unpack-failed', retryable: false },
  // The array answered with an error body; its status says more, but the ASL only sees the name.
  'Tollgate.FlashArrayError': { code: 'flasharray-error', retryable: false },
  // A compare-and-swap lost a race: reading again and retrying is the whole remedy.
  'Tollgate.LockConflict': { code: 'lock-conflict', retryable: true },
  'Tollgate.LockLost': { code: 'lock-lost', retryable: false },
  'Tollgate.Superseded': { code: 'superseded', retryable: false },
  'Tollgate.ApprovalRefused': { code: 'approval-refused', retryable: false },
  'Tollgate.ApprovalStateConflict': { code: 'approval-state-conflict', retryable: false },
  'Tollgate.ApprovalCallbackFailed': { code: 'approval-callback-failed', retryable: false },
  // Sent to a waiting approval task with SendTaskFailure, never thrown: the ASL catches them by name.
  'Tollgate.ApprovalRejected': { code: 'approval-rejected', retryable: false },
  'Tollgate.ApprovalCancelled': { code: 'approval-cancelled', retryable: false },
  'Tollgate.InvalidPushPayload': { code: 'invalid-push-payload', retryable: false },
  // EventBridge did not take the event; the same PutEvents usually succeeds a moment later.
  'Tollgate.EventNotDelivered': { code: 'event-not-delivered', retryable: true },
} as const satisfies Readonly<Record<`Tollgate.${string}`, ErrorSpec>>;

export type TollgateErrorName = keyof typeof TOLLGATE_ERRORS;
export type TollgateErrorCode = (typeof TOLLGATE_ERRORS)[TollgateErrorName]['code'];

/** The names a Retry should list, in catalogue order. */
export function retryableErrorNames(): TollgateErrorName[] {
  return (Object.keys(TOLLGATE_ERRORS) as TollgateErrorName[]).filter((n) => TOLLGATE_ERRORS[n].retryable);
}

/** Structured facts about one failure, for callers to branch on instead of reading the message. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface TollgateErrorOptions extends ErrorOptions {
  readonly details?: ErrorDetails;
}

export class TollgateError extends Error {
  // Typed by the catalogue, so a subclass can only take a name the ASL builder knows about.
  declare name: TollgateErrorName;
  readonly details: ErrorDetails | undefined;

  constructor(message: string, options?: TollgateErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.Error';
    this.details = options?.details;
  }

  /** Read from the catalogue by name, so a subclass that only sets `name` gets the right one. */
  get code(): TollgateErrorCode {
    return TOLLGATE_ERRORS[this.name].code;
  }

  get retryable(): boolean {
    return TOLLGATE_ERRORS[this.name].retryable;
  }
}

function named(name: TollgateErrorName) {
  return class extends TollgateError {
    constructor(message: string, options?: TollgateErrorOptions) {
      super(message, options);
      this.name = name;
    }
  };
}

/** Input did not match the handler's schema. Not retryable. */
export class InvalidInputError extends named('Tollgate.InvalidInput') {}
/** A port refused to overwrite an immutable object whose content differs. */
export class ImmutableConflictError extends named('Tollgate.ImmutableConflict') {}
export class NotFoundError extends named('Tollgate.NotFound') {}
export class DeployFailedError extends named('Tollgate.DeployFailed') {}
export class SmokeTestFailedError extends named('Tollgate.SmokeTestFailed') {}
export class TestsFailedError extends named('Tollgate.TestsFailed') {}
export class VerificationFailedError extends named('Tollgate.VerificationFailed') {}
export class BuildFailedError extends named('Tollgate.BuildFailed') {}
export class ConfigError extends named('Tollgate.ConfigError') {}
export class LockConflictError extends named('Tollgate.LockConflict') {}
export class SnapshotFailedError extends named('Tollgate.SnapshotFailed') {}
export class MaskingFailedError extends named('Tollgate.MaskingFailed') {}
export class MigrationFailedError extends named('Tollgate.MigrationFailed') {}
export class DataCheckFailedError extends named('Tollgate.DataCheckFailed') {}
export class NotRollbackSafeError extends named('Tollgate.NotRollbackSafe') {}

/** Normalises anything thrown at a boundary into an Error with a name and message. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  if (typeof thrown === 'string') return new TollgateError(thrown);
  try {
    return new TollgateError(JSON.stringify(thrown));
  } catch {
    return new TollgateError(String(thrown));
  }
}
