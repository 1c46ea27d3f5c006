import { describe, expect, it } from 'vitest';
import { commitUrl, repositoryWeb } from '../../../model/commit-link.js';

const SHA = '3f2a9c1d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c';

describe('repositoryWeb and commitUrl', () => {
  it.each([
    ['https://github.com/acme/orders.git', `https://github.com/acme/orders/commit/${SHA}`],
    ['git@github.com:acme/orders.git', `https://github.com/acme/orders/commit/${SHA}`],
    ['ssh://git@github.com/acme/orders', `https://github.com/acme/orders/commit/${SHA}`],
    ['https://github.example.com/acme/orders', `https://github.example.com/acme/orders/commit/${SHA}`],
    [
      'https://gitlab.com/acme/platform/orders.git',
      `https://gitlab.com/acme/platform/orders/-/commit/${SHA}`,
    ],
    ['git@gitlab.com:acme/platform/orders.git', `https://gitlab.com/acme/platform/orders/-/commit/${SHA}`],
    ['https://bitbucket.org/acme/orders.git', `https://bitbucket.org/acme/orders/commits/${SHA}`],
    ['git@bitbucket.org:acme/orders.git', `https://bitbucket.org/acme/orders/commits/${SHA}`],
    [
      'https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/orders',
      `https://eu-west-1.console.aws.amazon.com/codesuite/codecommit/repositories/orders/commit/${SHA}?region=eu-west-1`,
    ],
    [
      'ssh://git-codecommit.us-east-2.amazonaws.com/v1/repos/orders-service',
      `https://us-east-2.console.aws.amazon.com/codesuite/codecommit/repositories/orders-service/commit/${SHA}?region=us-east-2`,
    ],
    [
      'codecommit::ap-south-1://orders',
      `https://ap-south-1.console.aws.amazon.com/codesuite/codecommit/repositories/orders/commit/${SHA}?region=ap-south-1`,
    ],
  ])('links a commit of %s to %s', (remote, expected) => {
    // Arrange
    const repository = repositoryWeb(remote);
    // Act
    const url = commitUrl(repository, SHA);
    // Assert
    expect(url).toBe(expected);
  });

  it('uses the default region for a git-remote-codecommit URL without one', () => {
    // Arrange / Act
    const repository = repositoryWeb('codecommit://orders', 'eu-central-1');
    // Assert
    expect(repository?.region).toBe('eu-central-1');
    expect(repositoryWeb('codecommit://orders')).toBeNull();
  });

  it.each([
    ['an unknown host', 'https://git.example.com/acme/orders.git'],
    ['a local path', '/srv/git/orders.git'],
    ['a file URL', 'file:///srv/git/orders.git'],
    ['a repository without an owner', 'https://github.com/orders'],
    ['a CodeCommit URL without a repository', 'https://git-codecommit.eu-west-1.amazonaws.com/v1/'],
    ['text that is no URL', 'not a url'],
  ])('gives no repository for %s', (_what, remote) => {
    // Arrange / Act / Assert
    expect(repositoryWeb(remote)).toBeNull();
  });

  it('gives no link for a missing or malformed commit, or no repository', () => {
    // Arrange
    const repository = repositoryWeb('https://github.com/acme/orders');
    // Act / Assert
    expect(commitUrl(repository, null)).toBeNull();
    expect(commitUrl(repository, 'main')).toBeNull();
    expect(commitUrl(repository, '../../evil')).toBeNull();
    expect(commitUrl(null, SHA)).toBeNull();
  });
});
