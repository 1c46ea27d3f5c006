import type { ReleaseRef } from '../release.js';

/**
 * Pending and decided approvals (DynamoDB on AWS, files under `.tollgate/approvals/` locally).
 *
 * The human-readable record and the task token are stored apart: `get` and `listPending` return
 * records that people (console, CLI) read, and those never carry the token, only its sha256.
 * `readToken` is for the approve, cancel and timeout paths alone.
 *
 * Every change is a compare-and-swap on `revision`, and a record only ever leaves `pending` once,
 * so two people deciding at the same moment cannot both resume the run.
 */
const ApprovalStatus = {
  Pending: 'pending',
  Approved: 'approved',
  Rejected: 'rejected',
  Cancelled: 'cancelled',
  Expired: 'expired',
  /** The run ended (failed, was stopped, timed out) while the approval waited; nobody can decide it. */
  Closed: 'closed',
} as const;
type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

export interface ApprovalVote {
  /** Who voted: IAM principal ARN on AWS, the local user name locally. */
  readonly approver: string;
  /** The approver's e-mail identity, when known (see approvals/identity.ts). */
  readonly identity?: string;
  /** The `approvers` entry the caller matched; quorum counts distinct entries. */
  readonly as: string;
  readonly decision: 'approve' | 'reject';
  readonly comment: string;
  readonly at: string;
}

export interface ApprovalCommit {
  readonly repository: string;
  readonly branch: string;
  readonly commit: string;
  readonly author: { readonly name: string; readonly email: string };
  readonly message: string;
  readonly timestamp: string;
}

/** What the run asks for; the store adds status, votes and revision. */
export interface NewApproval {
  /** Derived from executionArn + environment, so a re-invoked gate finds its own approval. */
  readonly id: string;
  readonly pipeline: string;
  readonly executionArn: string;
  readonly stateName: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  readonly commit: ApprovalCommit;
  readonly approvers: readonly string[];
  readonly minApprovals: number;
  readonly allowSelfApproval: boolean;
  readonly requestedAt: string;
  /** Votes at or after this instant are refused, whatever the state machine's timer says. */
  readonly expiresAt: string;
  readonly evidence: Record<string, unknown>;
}

/** Whether the decision reached the waiting run (SendTaskSuccess/Failure went through). */
interface ApprovalDelivery {
  readonly state: 'pending' | 'delivered' | 'failed';
  readonly at: string;
  readonly error?: string;
}

export interface ApprovalRecord extends NewApproval {
  readonly status: ApprovalStatus;
  readonly votes: readonly ApprovalVote[];
  /** sha256 hex of the current task token; the token itself is never part of a record. */
  readonly tokenHash: string;
  readonly decidedAt?: string;
  /** Why a cancelled, expired or closed approval ended. */
  readonly closeReason?: string;
  readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
  readonly delivery?: ApprovalDelivery;
  /** Compare-and-swap version; pass it back to every change. */
  readonly revision: number;
}

/** A change to one record, applied only when the stored revision still matches. */
export type ApprovalChange =
  | {
      readonly type: 'vote';
      readonly vote: ApprovalVote;
      readonly outcome: 'pending' | 'approved' | 'rejected';
    }
  | {
      readonly type: 'cancel';
      readonly at: string;
      readonly reason: string;
      readonly supersededBy?: { readonly executionArn: string; readonly commit: string };
    }
  | { readonly type: 'expire'; readonly at: string; readonly reason: string }
  | { readonly type: 'close'; readonly at: string; readonly reason: string }
  | { readonly type: 'delivery'; readonly delivery: ApprovalDelivery };

export interface CreatePendingResult {
  readonly record: ApprovalRecord;
  readonly created: boolean;
  /** A re-invoked gate brought a new token (Step Functions issues one per attempt). */
  readonly tokenReplaced: boolean;
}

export interface ApprovalStore {
  /**
   * Stores a pending approval and its token. When the id exists already (a re-invoked gate), the
   * record is kept and only the token (and `tokenHash`) is replaced if it differs; a `closed` record
   * (its run had ended, and a redrive asks again) is opened afresh; any other record that is no
   * longer pending is returned unchanged.
   */
  createPending(approval: NewApproval, token: string): Promise<CreatePendingResult>;
  get(id: string): Promise<ApprovalRecord | undefined>;
  /** Pending records, oldest first, optionally of one run. */
  listPending(filter?: { readonly executionArn?: string }): Promise<ApprovalRecord[]>;
  /** Applies `change` when the revision matches; LockConflictError otherwise (re-read, re-decide). */
  update(id: string, expectedRevision: number, change: ApprovalChange): Promise<ApprovalRecord>;
  /** The current task token; undefined when unknown or already discarded. */
  readToken(id: string): Promise<string | undefined>;
  /** Discards the token once the run no longer needs it. */
  discardToken(id: string): Promise<void>;
}
