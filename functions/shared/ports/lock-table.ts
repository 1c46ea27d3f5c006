/**
 * A compare-and-swap record store (DynamoDB conditional writes on AWS, a file with an atomic
 * rename locally). The concurrency guard keeps its lock and queue in one record per pipeline.
 */
export interface VersionedRecord<T> {
  readonly value: T;
  /** Opaque; pass back to `put` to make the write conditional. */
  readonly version: number;
}

export interface LockTable {
  get<T>(key: string): Promise<VersionedRecord<T> | undefined>;
  /**
   * Writes when the stored version equals `expectedVersion` (0 = must not exist yet).
   * Throws LockConflictError otherwise, so the caller re-reads and retries.
   */
  put<T>(key: string, value: T, expectedVersion: number): Promise<{ version: number }>;
}
