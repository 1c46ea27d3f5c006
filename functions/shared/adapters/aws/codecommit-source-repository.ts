import {
  type CodeCommitClient,
  CommitDoesNotExistException,
  CommitIdDoesNotExistException,
  GetCommitCommand,
} from '@aws-sdk/client-codecommit';
import type { SourceCommit, SourceRepository, SourceVerdict } from '../../ports/source-repository.js';

export interface CodeCommitSourceRepositoryOptions {
  readonly client: CodeCommitClient;
}

/**
 * AWS source: CodeCommit's GetCommit. Its "no such commit" answers are a "no"; anything else
 * (throttling, a missing grant, a missing repository) propagates so the run fails loudly rather than skipping a real
 * commit. Needs `codecommit:GetCommit` on the repository.
 */
export class CodeCommitSourceRepository implements SourceRepository {
  constructor(private readonly options: CodeCommitSourceRepositoryOptions) {}

  async vouchFor({ repository, commit }: SourceCommit): Promise<SourceVerdict> {
    try {
      await this.options.client.send(new GetCommitCommand({ repositoryName: repository, commitId: commit }));
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
}
