import type { CommitSummary } from '../release-contents/feature-ids.js';

/**
 * The source the pipeline builds from. Asked before a run takes the lock, so an event naming a
 * commit the source does not vouch for becomes a recorded skip and never supersedes, queues behind
 * or cancels a real run.
 */
export interface SourceCommit {
  readonly repository: string;
  readonly branch: string;
  /** A full 40-character commit id. */
  readonly commit: string;
  /** Set by the GitHub webhook (see source/attestation.ts); other sources ignore it. */
  readonly attestation?: string;
}

export type SourceVerdict = { readonly known: true } | { readonly known: false; readonly detail: string };

export interface SourceRepository {
  /**
   * Whether the commit is one the source vouches for: it exists in the repository (a git working
   * copy locally, CodeCommit), or it came through the signed webhook (GitHub). A "no" says why.
   */
  vouchFor(commit: SourceCommit): Promise<SourceVerdict>;
  /**
   * The commits `to` has that `from` has not (`git log from..to`), newest first, at most `limit`;
   * every commit reachable from `to` when `from` is null. A source that cannot list commits says
   * why instead of guessing.
   */
  commitsBetween(range: CommitRangeQuery): Promise<CommitRange>;
}

export interface CommitRangeQuery {
  readonly repository: string;
  /** A full commit id, or null for "nothing before". */
  readonly from: string | null;
  readonly to: string;
  readonly limit: number;
}

export type CommitRange =
  | { readonly listed: true; readonly commits: readonly CommitSummary[]; readonly truncated: boolean }
  | { readonly listed: false; readonly detail: string };
