import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS, mapGitHubPush } from '../../../../functions/webhook/github-push.js';
import { AFTER, BEFORE, pushPayload } from './fixtures.js';

const NOW = new Date('2026-03-02T00:00:00.000Z');

describe('mapGitHubPush', () => {
  it('returns the Commit Pushed detail when a branch push adds one commit', () => {
    // Act
    const mapped = mapGitHubPush(pushPayload(), NOW);

    // Assert
    expect(mapped).toEqual({
      kind: 'commit',
      detail: {
        repository: 'orders-service',
        branch: 'main',
        commit: AFTER,
        parents: [BEFORE],
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
        message: 'Add orders endpoint',
        timestamp: '2026-03-01T09:15:30.000Z',
      },
    });
  });

  it('returns the branch name with slashes when the ref is a nested branch', () => {
    const mapped = mapGitHubPush(pushPayload({ ref: 'refs/heads/release/2026-03' }), NOW);
    expect(mapped.kind === 'commit' && mapped.detail.branch).toBe('release/2026-03');
  });

  it('returns no parents when the push added several commits', () => {
    // Arrange
    const payload = pushPayload({ commits: [{ id: BEFORE.replace(/1/g, '3') }, { id: AFTER }] });

    // Act
    const mapped = mapGitHubPush(payload, NOW);

    // Assert
    expect(mapped.kind === 'commit' && mapped.detail.parents).toEqual([]);
  });

  it('returns the pusher and the clock time when there is no head commit', () => {
    // Arrange
    const payload = pushPayload({ head_commit: null, commits: [], pusher: { name: 'octo', email: null } });

    // Act
    const mapped = mapGitHubPush(payload, NOW);

    // Assert
    expect(mapped.kind === 'commit' && mapped.detail).toMatchObject({
      author: { name: 'octo', email: '' },
      message: '',
      timestamp: NOW.toISOString(),
      parents: [],
    });
  });

  it('returns a truncated message when the commit message is huge', () => {
    // Arrange
    const head = { ...(pushPayload().head_commit as object), message: 'x'.repeat(MAX_MESSAGE_CHARS * 20) };

    // Act
    const mapped = mapGitHubPush(pushPayload({ head_commit: head }), NOW);

    // Assert
    const message = mapped.kind === 'commit' ? mapped.detail.message : '';
    expect(message.length).toBeLessThan(MAX_MESSAGE_CHARS + 20);
    expect(message.endsWith('[truncated]')).toBe(true);
  });

  it('returns a skip when the branch was deleted', () => {
    const mapped = mapGitHubPush(
      pushPayload({ deleted: true, after: '0'.repeat(40), head_commit: null }),
      NOW,
    );
    expect(mapped).toEqual({ kind: 'skip', reason: 'branch main was deleted' });
  });

  it('returns a skip when the ref is a tag', () => {
    const mapped = mapGitHubPush(pushPayload({ ref: 'refs/tags/v1.0.0' }), NOW);
    expect(mapped).toEqual({ kind: 'skip', reason: 'refs/tags/v1.0.0 is not a branch' });
  });

  it('throws naming the field when "after" is not a commit id', () => {
    expect(() => mapGitHubPush(pushPayload({ after: 'main' }), NOW)).toThrow(
      /^not a GitHub push payload: after:/,
    );
  });

  it('throws naming the field when the repository is missing', () => {
    expect(() => mapGitHubPush(pushPayload({ repository: undefined }), NOW)).toThrow(/: repository:/);
  });

  it('throws when the payload is not an object', () => {
    expect(() => mapGitHubPush([1, 2], NOW)).toThrow(/not a GitHub push payload: \(payload\)/);
  });
});
