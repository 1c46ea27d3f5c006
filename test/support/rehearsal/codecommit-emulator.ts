/**
 * CodeCommit, emulated for the one call the pipeline makes (moto has no commits): GetCommit,
 * answered from a local git repository standing in for the CodeCommit repository of that name.
 *
 * Models: the commit's id, tree, parents, message, author and committer as CodeCommit returns them;
 * RepositoryDoesNotExistException and CommitDoesNotExistException. Does not model: any other action,
 * branches, merges, or approval rules.
 */
import { execFileSync } from 'node:child_process';
import { AwsApiError, type AwsJsonService } from '../../../runtime/api/aws-service.js';

export class CodeCommitEmulator implements AwsJsonService {
  readonly targetPrefix = 'CodeCommit_20150413';
  /**
   * Answers by full commit id: a commit is immutable, and the release contents walk the history
   * parent by parent in every run, so each scenario asked git again for every commit before it.
   */
  private readonly answered = new Map<string, unknown>();

  constructor(private readonly repositories: Readonly<Record<string, string>>) {}

  async dispatch(operation: string, request: unknown): Promise<unknown> {
    if (operation !== 'GetCommit')
      throw new AwsApiError(
        'UnknownOperationException',
        `the CodeCommit emulator does not serve ${operation}`,
      );
    const { repositoryName, commitId } = request as { repositoryName?: string; commitId?: string };
    const dir = repositoryName ? this.repositories[repositoryName] : undefined;
    if (!dir) throw new AwsApiError('RepositoryDoesNotExistException', `${repositoryName} does not exist`);
    // Only a full id names one commit for good; a branch name or a short id may mean another later.
    const key = /^[0-9a-f]{40}$/.test(commitId ?? '') ? `${dir}\0${commitId}` : undefined;
    const known = key ? this.answered.get(key) : undefined;
    if (known) return known;
    let out: string;
    try {
      out = execFileSync(
        'git',
        ['show', '-s', '--format=%H%n%T%n%P%n%an%n%ae%n%at%n%cn%n%ce%n%ct%n%B', `${commitId}^{commit}`],
        {
          cwd: dir,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
    } catch {
      throw new AwsApiError('CommitDoesNotExistException', `Could not find commit ${commitId}`);
    }
    const [id, tree, parents, an, ae, at, cn, ce, ct, ...message] = out.split('\n');
    const person = (name: string, email: string, epoch: string) => ({ name, email, date: `${epoch} +0000` });
    const answer = {
      commit: {
        commitId: id,
        treeId: tree,
        parents: parents ? parents.split(' ') : [],
        message: message.join('\n').trimEnd(),
        author: person(an, ae, at),
        committer: person(cn, ce, ct),
        additionalData: '',
      },
    };
    if (key) this.answered.set(key, answer);
    return answer;
  }
}
