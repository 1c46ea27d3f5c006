import {
  type CodeCommitClient,
  type Commit,
  CommitDoesNotExistException,
  CommitIdDoesNotExistException,
  GetCommitCommand,
} from '@aws-sdk/client-codecommit';
import type {
  CommitRange,
  CommitRangeQuery,
  SourceCommit,
  SourceRepository,
  SourceVerdict,
} from '../../ports/source-repository.js';
import type { CommitSummary } from '../../release-contents/feature-ids.js';

export interface CodeCommitSourceRepositoryOptions {
  readonly client: CodeCommitClient;
}

/**
 * AWS source: CodeCommit's GetCommit. Its "no such commit" answers are a "no"; anything else
 * (throttling, a missing grant, a missing repository) propagates so the run fails loudly rather than skipping a real
 * commit. Needs `codecommit:GetCommit` on the repository.
 *
 * CodeCommit has no `git log a..b`: GetDifferences compares trees (files), not histories. So the
 * commits between two releases are walked parent by parent with GetCommit, breadth first from the
 * newer one, stopping at the older one. A merge's other parents are walked too, but only commits
 * committed after the older release's commit: a side branch reaching back before it would
 * otherwise walk the whole history (those earlier commits are, nearly always, already in it).
 */
export class CodeCommitSourceRepository implements SourceRepository {
  constructor(private readonly options: CodeCommitSourceRepositoryOptions) {}

  async vouchFor({ repository, commit }: SourceCommit): Promise<SourceVerdict> {
    try {
      await this.getCommit(repository, commit);
      return { known: true };
    } catch (error) {
      // A missing repository is a wrong config, not a missing commit: it propagates.
      if (error instanceof CommitDoesNotExistException || error instanceof CommitIdDoesNotExistException)
        return {
          known: false,
          detail: `commit ${commit} does not exist in CodeCommit repository "${repository}" (pushed yet?)`,
        };
      throw error;
    }
  }

  async commitsBetween({ repository, from, to, limit }: CommitRangeQuery): Promise<CommitRange> {
    const cutoff = from === null ? undefined : committedAt(await this.getCommit(repository, from));
    const commits: CommitSummary[] = [];
    const seen = new Set<string>(from === null ? [] : [from]);
    const queue = [to];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const commit = await this.getCommit(repository, id);
      if (cutoff !== undefined && committedAt(commit) < cutoff) continue;
      if (commits.length === limit) return { listed: true, commits, truncated: true };
      commits.push({
        commit: id,
        author: `${commit.author?.name ?? 'unknown'} <${commit.author?.email ?? ''}>`,
        subject: (commit.message ?? '').split('\n')[0] ?? '',
      });
      queue.push(...(commit.parents ?? []));
    }
    return { listed: true, commits, truncated: false };
  }

  private async getCommit(repository: string, commitId: string): Promise<Commit> {
    const answer = await this.options.client.send(
      new GetCommitCommand({ repositoryName: repository, commitId }),
    );
    return answer.commit ?? { commitId };
  }
}

/** CodeCommit dates are git's raw form, `<epoch seconds> <zone>`. */
function committedAt(commit: Commit): number {
  const raw = commit.committer?.date ?? commit.author?.date ?? '';
  const seconds = Number(raw.split(' ')[0]);
  return Number.isFinite(seconds) ? seconds : 0;
}
