import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What the GitHub webhook adds to each commit event it puts, after GitHub's own signature verified
 * the push: an HMAC-SHA256 over the repository, branch and commit, keyed with the webhook's secret.
 * plan-run checks it, so for a GitHub source a commit event is believed only when it came through
 * the webhook, not from anyone who may put events on the account's bus (where a forged or unpushed
 * commit would otherwise supersede a real run). A domain prefix keeps these MACs apart from GitHub's
 * body signatures made with the same secret.
 */
const DOMAIN = 'tollgate.commit-attestation.v1';

export interface AttestedCommit {
  readonly repository: string;
  readonly branch: string;
  readonly commit: string;
}

export function attestCommit(secret: string, commit: AttestedCommit): string {
  if (!secret) throw new Error('webhook secret is empty; set it in Secrets Manager');
  return createHmac('sha256', secret)
    .update([DOMAIN, commit.repository, commit.branch, commit.commit].join('\n'))
    .digest('hex');
}

/** Constant-time check of an attestation; a missing or malformed one is simply not valid. */
export function verifyCommitAttestation(
  secret: string,
  commit: AttestedCommit,
  attestation: string | undefined,
): boolean {
  if (attestation === undefined || !/^[0-9a-f]{64}$/.test(attestation)) return false;
  const expected = Buffer.from(attestCommit(secret, commit), 'hex');
  return timingSafeEqual(expected, Buffer.from(attestation, 'hex'));
}
