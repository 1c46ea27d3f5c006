/** A GitHub push payload with the fields GitHub sends for a one-commit push (trimmed of URLs). */
export const BEFORE = '1111111111111111111111111111111111111111';
export const AFTER = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export function pushPayload(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    before: BEFORE,
    after: AFTER,
    created: false,
    deleted: false,
    forced: false,
    repository: { id: 1, name: 'orders-service', full_name: 'acme/orders-service' },
    pusher: { name: 'octo-pusher', email: 'pusher@example.com' },
    commits: [{ id: AFTER, message: 'Add orders endpoint' }],
    head_commit: {
      id: AFTER,
      tree_id: '2222222222222222222222222222222222222222',
      distinct: true,
      message: 'Add orders endpoint',
      timestamp: '2026-03-01T10:15:30+01:00',
      author: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' },
      committer: { name: 'Ada Lovelace', email: 'ada@example.com', username: 'ada' },
    },
    ...overrides,
  };
}
