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
}
