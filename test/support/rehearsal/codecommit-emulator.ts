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
    return {
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
  }
}
