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
