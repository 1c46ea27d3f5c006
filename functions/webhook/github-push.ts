import * as z from 'zod';
import type { CommitPushedDetail } from './commit-event.js';
import { InvalidPushPayloadError } from './errors.js';

const ZERO_SHA = /^0{40}$/;
const SHA1 = /^[0-9a-f]{40}$/;
/**
 * EventBridge caps an entry at 256 KiB. A commit message is the only unbounded field, so it is cut
 * well below that (4 bytes per character worst case) instead of losing the commit.
 */
export const MAX_MESSAGE_CHARS = 16_384;

const person = z.looseObject({ name: z.string().min(1), email: z.string().nullish() });

/** Only the fields Tollgate reads; GitHub sends many more, so unknown keys are allowed here. */
const pushPayload = z.looseObject({
  ref: z.string().min(1),
  before: z.string().regex(SHA1, 'must be 40 hex characters').optional(),
  after: z.string().regex(SHA1, 'must be 40 hex characters'),
  deleted: z.boolean().optional(),
  repository: z.looseObject({ name: z.string().min(1) }),
  pusher: person,
  commits: z.array(z.looseObject({ id: z.string() })).optional(),
  head_commit: z
    .looseObject({
      id: z.string().regex(SHA1, 'must be 40 hex characters'),
      message: z.string(),
      timestamp: z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'must be an ISO 8601 time'),
      author: person,
    })
    .nullish(),
});

export type PushMapping =
  | { readonly kind: 'commit'; readonly detail: CommitPushedDetail }
  | { readonly kind: 'skip'; readonly reason: string };

/**
 * Maps a GitHub `push` payload to the `tollgate.git` "Commit Pushed" detail. Tag pushes and branch
 * deletions are skipped with a reason: neither names a commit to release.
 */
export function mapGitHubPush(payload: unknown, now: Date): PushMapping {
  const parsed = pushPayload.safeParse(payload);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const path = first.path.length ? first.path.join('.') : '(payload)';
    throw new InvalidPushPayloadError(`not a GitHub push payload: ${path}: ${first.message}`);
  }
  const push = parsed.data;
  if (!push.ref.startsWith('refs/heads/')) return { kind: 'skip', reason: `${push.ref} is not a branch` };
  const branch = push.ref.slice('refs/heads/'.length);
  if (push.deleted === true || ZERO_SHA.test(push.after)) {
    return { kind: 'skip', reason: `branch ${branch} was deleted` };
  }
  const head = push.head_commit?.id === push.after ? push.head_commit : undefined;
  const author = head?.author ?? push.pusher;
  return {
    kind: 'commit',
    detail: {
      repository: push.repository.name,
      branch,
      commit: push.after,
      parents: parentsOf(push.after, push.before, push.commits),
      author: { name: author.name, email: author.email ?? '' },
      message: truncate(head?.message ?? ''),
      timestamp: new Date(head ? Date.parse(head.timestamp) : now.getTime()).toISOString(),
    },
  };
}

/**
 * GitHub's push payload carries no parent ids. When the push added exactly one commit on top of an
 * existing head, `before` is that commit's first parent; in every other case (new branch, several
 * commits, force push) the parents are unknown and reported as empty rather than guessed.
 */
function parentsOf(
  after: string,
  before: string | undefined,
  commits: readonly { id: string }[] | undefined,
) {
  const single = commits?.length === 1 && commits[0].id === after;
  return single && before && !ZERO_SHA.test(before) ? [before] : [];
}

function truncate(message: string): string {
  return message.length <= MAX_MESSAGE_CHARS
    ? message
    : `${message.slice(0, MAX_MESSAGE_CHARS)}\n[truncated]`;
}
