/**
 * The append-only audit trail (S3 with Object Lock on AWS, a directory locally). It outlives the
 * Step Functions history. Entries are never rewritten; queries fold over them.
 */
export type LedgerEntryKind =
  | 'release'
  | 'promotion'
  | 'rollback'
  | 'deploy-failed'
  | 'approval-requested'
  | 'approval-decision'
  | 'approval-refused'
  | 'approval-cancelled'
  | 'approval-closed'
  | 'data-refresh'
  | 'migrations-applied'
  | 'migration-checkpoint'
  | 'compatibility-check'
  | 'run-summary'
  | 'run-skipped'
  /** A canary's traffic moved: shift to a step's share, abort, or complete. */
  | 'canary-traffic'
  /** A canary step's analysis: each check's canary and baseline values, threshold and verdict. */
  | 'canary-step'
  /** After a failure past a breaking migration: prod's data put back from its checkpoint, or why not. */
  | 'checkpoint-restore'
  /** The commits and feature IDs a run's release adds over the release in each environment. */
  | 'release-contents'
  /** An existing release deployed again (`tollgate deploy`): who asked, why, into which environment. */
  | 'redeploy';

export interface LedgerEntry {
  readonly kind: LedgerEntryKind;
  readonly pipeline: string;
  /** ISO 8601, from the Clock port. */
  readonly at: string;
  readonly executionArn?: string;
  readonly environment?: string;
  readonly releaseVersion?: string;
  /** Who did it (approver, or `tollgate` for automated steps). */
  readonly actor?: string;
  readonly data: Record<string, unknown>;
  /**
   * Deduplicates re-invoked tasks: execution ARN + state name (+ actor for votes). Appending an entry
   * whose key already exists is a no-op.
   */
  readonly idempotencyKey: string;
}

export interface StoredLedgerEntry extends LedgerEntry {
  /** Monotonic position assigned by the ledger. */
  readonly seq: number;
}

export interface Ledger {
  append(entry: LedgerEntry): Promise<{ seq: number; created: boolean }>;
  /** Entries in append order, optionally filtered. */
  query(filter?: LedgerFilter): Promise<StoredLedgerEntry[]>;
}

export interface LedgerFilter {
  readonly pipeline?: string;
  readonly kinds?: readonly LedgerEntryKind[];
  readonly environment?: string;
  readonly releaseVersion?: string;
  readonly executionArn?: string;
}
