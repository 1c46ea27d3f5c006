import { execFile } from 'node:child_process';
import { InvalidInputError } from '../../errors.js';
import type { SourceCommit, SourceRepository, SourceVerdict } from '../../ports/source-repository.js';

const COMMIT_ID = /^[0-9a-f]{40}$/;

/**
 * Local source: the working copies `tollgate up` builds from (repository name → directory). A commit
 * exists when `git cat-file -e <id>^{commit}` says so; git exits 128 for an unknown object, which is
 * the "no" answer. Any other failure (git missing, the directory gone) is an error, not a "no": a
 * broken repository must not turn every commit into a silent skip.
 */
export class GitSourceRepository implements SourceRepository {
  constructor(private readonly repositories: Readonly<Record<string, string>>) {}

  async vouchFor({ repository, commit }: SourceCommit): Promise<SourceVerdict> {
    if (await this.commitExists(repository, commit)) return { known: true };
    return { known: false, detail: `commit ${commit} does not exist in repository "${repository}"` };
  }

  private async commitExists(repository: string, commit: string): Promise<boolean> {
    // The id goes on git's command line: anything but a full hex id (e.g. "--output=x") is refused.
    if (!COMMIT_ID.test(commit))
      throw new InvalidInputError(`commit "${commit}" is not a 40-character hex id`);
    const dir = this.repositories[repository];
    if (dir === undefined) return false;
    return await new Promise<boolean>((resolve, reject) => {
      execFile('git', ['-C', dir, 'cat-file', '-e', `${commit}^{commit}`], (error, _stdout, stderr) => {
        if (!error) return resolve(true);
        if (error.code === 128 && !/not a git repository|cannot change to/i.test(stderr))
          return resolve(false);
        reject(
          new Error(
            `cannot ask git about ${commit.slice(0, 7)} in ${dir}: ${stderr.trim() || error.message}`,
          ),
        );
      });
    });
  }
}
