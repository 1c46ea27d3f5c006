/**
 * The Tollgate error names the pipeline retries or catches by name. The one place the builder
 * takes them from: when functions/shared/errors.ts exports its names as data, this list is read
 * from there instead.
 */
export const RetryableError = {
  /** The lock record changed between read and conditional write; the guard retries from a fresh read. */
  LockConflict: 'Tollgate.LockConflict',
} as const;
export type RetryableError = (typeof RetryableError)[keyof typeof RetryableError];
