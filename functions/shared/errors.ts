/**
 * Errors the state machine can see. `name` equals the ASL error name so Retry/Catch can match it
 * (a Lambda error surfaces as `errorType` = `name`).
 */
export class TollgateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'Tollgate.Error';
  }
}

function named(name: string) {
  return class extends TollgateError {
    constructor(message: string, options?: ErrorOptions) {
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
export class BuildFailedError extends named('Tollgate.BuildFailed') {}
export class ConfigError extends named('Tollgate.ConfigError') {}
export class LockConflictError extends named('Tollgate.LockConflict') {}
export class SnapshotFailedError extends named('Tollgate.SnapshotFailed') {}
export class MaskingFailedError extends named('Tollgate.MaskingFailed') {}
export class MigrationFailedError extends named('Tollgate.MigrationFailed') {}
export class DataCheckFailedError extends named('Tollgate.DataCheckFailed') {}
export class ApprovalRefusedError extends named('Tollgate.ApprovalRefused') {}

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
