import {
  CodeCommitClient,
  CommitDoesNotExistException,
  CommitIdDoesNotExistException,
  GetCommitCommand,
  RepositoryDoesNotExistException,
} from '@aws-sdk/client-codecommit';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CodeCommitSourceRepository } from '../../../../../../functions/shared/adapters/aws/codecommit-source-repository.js';

// moto 5.2 serves only CreateRepository/GetRepository/DeleteRepository for CodeCommit, not GetCommit,
// so this adapter is checked against the SDK's own exception classes on a mocked client.
const codecommit = mockClient(CodeCommitClient);
const source = new CodeCommitSourceRepository({ client: new CodeCommitClient({ region: 'eu-west-1' }) });
const id = 'a'.repeat(40);
const meta = { $metadata: {}, message: 'x' };

describe('CodeCommitSourceRepository', () => {
  beforeEach(() => codecommit.reset());

  it('asks GetCommit for the repository and commit, and says yes when CodeCommit has it', async () => {
    codecommit.on(GetCommitCommand).resolves({ commit: { commitId: id } });
    expect((await source.vouchFor({ repository: 'orders', branch: 'main', commit: id })).known).toBe(true);
    expect(codecommit.commandCalls(GetCommitCommand)[0]?.args[0].input).toEqual({
      repositoryName: 'orders',
      commitId: id,
    });
  });

  it.each([
    ['CommitDoesNotExistException', new CommitDoesNotExistException(meta)],
    ['CommitIdDoesNotExistException', new CommitIdDoesNotExistException(meta)],
  ])('says no on %s', async (_name, error) => {
    codecommit.on(GetCommitCommand).rejects(error);
    expect((await source.vouchFor({ repository: 'orders', branch: 'main', commit: id })).known).toBe(false);
  });

  it('lets a missing repository fail the task: that is a wrong config, not a missing commit', async () => {
    codecommit.on(GetCommitCommand).rejects(new RepositoryDoesNotExistException(meta));
    await expect(
      source.vouchFor({ repository: 'orders', branch: 'main', commit: id }),
    ).rejects.toBeInstanceOf(RepositoryDoesNotExistException);
  });
});

describe('CodeCommitSourceRepository.commitsBetween', () => {
  beforeEach(() => codecommit.reset());
  const c = (n: string) => n.repeat(40);
  const history: Record<string, { parents: string[]; message: string; date: string }> = {
    [c('1')]: { parents: [], message: 'ORD-1: first\n\nbody', date: '1000 +0000' },
    [c('2')]: { parents: [c('1')], message: 'ORD-2: refunds', date: '2000 +0000' },
    [c('3')]: { parents: [c('2'), c('4')], message: 'merge #7', date: '4000 +0000' },
    [c('4')]: { parents: [c('1')], message: 'side ORD-4', date: '3000 +0000' },
  };
  const serve = () =>
    codecommit.on(GetCommitCommand).callsFake(({ commitId }: { commitId: string }) => {
      const h = history[commitId];
      if (!h) throw new CommitIdDoesNotExistException(meta);
      return {
        commit: {
          commitId,
          parents: h.parents,
          message: h.message,
          author: { name: 'Ana', email: 'ana@example.com', date: h.date },
          committer: { name: 'Ana', email: 'ana@example.com', date: h.date },
        },
      };
    });

  it('returns the commits after the older release, a merged branch included, walking GetCommit', async () => {
    // Arrange
    serve();

    // Act
    const range = await source.commitsBetween({ repository: 'orders', from: c('2'), to: c('3'), limit: 10 });

    // Assert
    expect(range).toEqual({
      listed: true,
      truncated: false,
      commits: [
        { commit: c('3'), author: 'Ana <ana@example.com>', subject: 'merge #7' },
        { commit: c('4'), author: 'Ana <ana@example.com>', subject: 'side ORD-4' },
      ],
    });
  });

  it('returns the whole history up to the limit when nothing came before, saying it was cut', async () => {
    // Arrange
    serve();

    // Act
    const range = await source.commitsBetween({ repository: 'orders', from: null, to: c('2'), limit: 1 });

    // Assert
    expect(range).toEqual({
      listed: true,
      truncated: true,
      commits: [{ commit: c('2'), author: 'Ana <ana@example.com>', subject: 'ORD-2: refunds' }],
    });
  });

  it('lets an unknown commit fail the call: a release names commits CodeCommit had', async () => {
    serve();
    await expect(
      source.commitsBetween({ repository: 'orders', from: c('9'), to: c('3'), limit: 10 }),
    ).rejects.toBeInstanceOf(CommitIdDoesNotExistException);
  });
});
