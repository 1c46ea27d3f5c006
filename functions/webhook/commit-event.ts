/**
 * Tollgate's own commit event: the one contract between every source of commits and the pipeline.
 * The webhook, `tollgate push` and the git hook all emit this shape, so the EventBridge rule and
 * the ASL's Normalize state read one format.
 */
export const COMMIT_EVENT_SOURCE = 'tollgate.git';
export const COMMIT_EVENT_DETAIL_TYPE = 'Commit Pushed';

export interface CommitPushedDetail {
  readonly repository: string;
  readonly branch: string;
  /** 40 hex characters. */
  readonly commit: string;
  readonly parents: readonly string[];
  readonly author: { readonly name: string; readonly email: string };
  readonly message: string;
  /** ISO 8601 in UTC. */
  readonly timestamp: string;
  /** The webhook's attestation that GitHub signed this push (shared/source/attestation.ts). */
  readonly attestation?: string;
}
