import { createHmac, timingSafeEqual } from 'node:crypto';

const HEADER = /^sha256=([0-9a-f]{64})$/;

/**
 * Checks GitHub's `X-Hub-Signature-256`: `sha256=` + hex HMAC-SHA256 of the raw request body keyed
 * with the webhook secret. The comparison is constant-time so the signature cannot be guessed byte by
 * byte from response timings.
 */
export function verifyGitHubSignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  if (!secret) throw new Error('webhook secret is empty; set it in Secrets Manager');
  const match = header === undefined ? null : HEADER.exec(header.trim().toLowerCase());
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(match[1], 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signs a body the way GitHub does; the tests and `tollgate doctor` use it to send a valid delivery. */
export function signGitHubBody(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
