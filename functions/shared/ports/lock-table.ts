/**
 * A compare-and-swap record store (DynamoDB conditional writes on AWS, files with an atomic rename
 * locally). The concurrency guard keeps its lock in one record per pipeline and each waiting run in
 * a record of its own, under the lock record's key as prefix.
 */
export interface VersionedRecord<T> {
  readonly value: T;
  /** Opaque; pass back to `put` to make the write conditional. */
  readonly version: number;
}

export interface KeyedRecord<T> extends VersionedRecord<T> {
  readonly key: string;
}

/** Another record that must still be at `version` (0 = absent) for a write to happen. */
export interface UnchangedRecord {
  readonly key: string;
  readonly version: number;
}

export interface LockTable {
  get<T>(key: string): Promise<VersionedRecord<T> | undefined>;
  /**
   * Writes when the stored version equals `expectedVersion` (0 = must not exist yet) and, given
   * `unchanged`, that other record is still at its version: one atomic step, so a waiter can
   * register only while the lock it saw held is still held (no wake-up is lost to a release that
   * ran in between). Throws LockConflictError otherwise, so the caller re-reads and retries.
   */
  put<T>(
    key: string,
    value: T,
    expectedVersion: number,
    unchanged?: UnchangedRecord,
  ): Promise<{ version: number }>;
  /** Deletes when the stored version equals `expectedVersion`; LockConflictError otherwise (or if absent). */
  delete(key: string, expectedVersion: number): Promise<void>;
  /** Every record whose key starts with `prefix`, in key order, read strongly consistently. */
  list<T>(prefix: string): Promise<ReadonlyArray<KeyedRecord<T>>>;
}
