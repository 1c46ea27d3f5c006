import { execFile } from 'node:child_process';
import { InvalidInputError } from '../../errors.js';
import type {
  CommitRange,
  CommitRangeQuery,
  SourceCommit,
  SourceRepository,
  SourceVerdict,
} from '../../ports/source-repository.js';

const COMMIT_ID = /^[0-9a-f]{40}$/;
/** Unit separator between fields, record separator between commits: neither occurs in a subject. */
const LOG_FORMAT = '--format=%H%x1f%an <%ae>%x1f%s%x1e';

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

  async commitsBetween({ repository, from, to, limit }: CommitRangeQuery): Promise<CommitRange> {
    checkId(to);
    if (from !== null) checkId(from);
    const dir = this.repositories[repository];
    if (dir === undefined) return { listed: false, detail: `no working copy of repository "${repository}"` };
    const range = from === null ? [to] : [`${from}..${to}`];
    const out = await this.git(dir, ['log', LOG_FORMAT, '-n', String(limit + 1), ...range, '--'], to);
    const commits = out
      .split('\x1e')
      .map((record) => record.replace(/^\n/, ''))
      .filter((record) => record !== '')
      .map((record) => {
        const [commit = '', author = '', subject = ''] = record.split('\x1f');
        return { commit, author, subject };
      });
    return { listed: true, commits: commits.slice(0, limit), truncated: commits.length > limit };
  }

  private async commitExists(repository: string, commit: string): Promise<boolean> {
    checkId(commit);
    const dir = this.repositories[repository];
    if (dir === undefined) return false;
    try {
      await this.git(dir, ['cat-file', '-e', `${commit}^{commit}`], commit);
      return true;
    } catch (error) {
      if ((error as { missing?: boolean }).missing) return false;
      throw error;
    }
  }

  private git(dir: string, args: string[], commit: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      execFile('git', ['-C', dir, ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const missing = error.code === 128 && !/not a git repository|cannot change to/i.test(stderr);
        reject(
          Object.assign(
            new Error(
              `cannot ask git about ${commit.slice(0, 7)} in ${dir}: ${stderr.trim() || error.message}`,
            ),
            { missing },
          ),
        );
      });
    });
  }
}

/** The id goes on git's command line: anything but a full hex id (e.g. "--output=x") is refused. */
function checkId(commit: string): void {
  if (!COMMIT_ID.test(commit)) throw new InvalidInputError(`commit "${commit}" is not a 40-character hex id`);
}
