import type { Clock } from '../shared/clock.js';
import type { TextSecret } from '../shared/ports/text-secret.js';
import { attestCommit } from '../shared/source/attestation.js';
import type { CommitPushedDetail } from './commit-event.js';
import { InvalidPushPayloadError } from './errors.js';
import { mapGitHubPush } from './github-push.js';
import { verifyGitHubSignature } from './signature.js';

/** An HTTP request as the function URL delivers it, with the body as the exact bytes GitHub signed. */
export interface WebhookRequest {
  readonly method: string;
  /** Header names in lower case (function URLs lower-case them). */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
}

export interface WebhookResponse {
  readonly statusCode: number;
  /** Empty for 204, which must not carry a body. */
  readonly body: string;
  /** Why: for the log line, since a 204 cannot say it. */
  readonly note: string;
}

export interface CommitEventPublisher {
  /** Puts the event; throws when the bus did not accept it. Returns the event id. */
  publish(detail: CommitPushedDetail): Promise<string>;
}

export interface WebhookDeps {
  readonly secret: TextSecret;
  readonly publisher: CommitEventPublisher;
  readonly clock: Clock;
}

const reply = (
  statusCode: number,
  message: string,
  extra: Record<string, unknown> = {},
): WebhookResponse => ({
  statusCode,
  body: statusCode === 204 ? '' : JSON.stringify({ message, ...extra }),
  note: message,
});

/**
 * Handles one GitHub delivery. The function URL has no IAM auth (GitHub cannot sign SigV4), so the
 * HMAC signature is the authentication: nothing is parsed or put before it verifies.
 */
export async function handleWebhook(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookResponse> {
  if (request.method.toUpperCase() !== 'POST') return reply(405, 'only POST is accepted');
  const signature = request.headers['x-hub-signature-256'];
  const secret = await deps.secret.get();
  if (!verifyGitHubSignature(secret, request.body, signature)) {
    return reply(401, signature ? 'signature does not match' : 'missing X-Hub-Signature-256 header');
  }
  const kind = request.headers['x-github-event'];
  if (kind === 'ping') return reply(204, 'pong');
  if (kind !== 'push') return reply(204, `ignored "${kind ?? 'unknown'}" event; only push starts a run`);

  let payload: unknown;
  try {
    payload = JSON.parse(payloadText(request));
  } catch {
    return reply(400, 'body is not valid JSON; set the webhook content type to application/json');
  }
  let mapped: ReturnType<typeof mapGitHubPush>;
  try {
    mapped = mapGitHubPush(payload, deps.clock.now());
  } catch (error) {
    if (error instanceof InvalidPushPayloadError) return reply(400, error.message);
    throw error;
  }
  if (mapped.kind === 'skip') return reply(204, mapped.reason);
  // GitHub signed this push: say so in the event, so plan-run can tell it from one put by anyone else.
  const eventId = await deps.publisher.publish({
    ...mapped.detail,
    attestation: attestCommit(secret, mapped.detail),
  });
  return reply(202, 'commit event put', {
    eventId,
    commit: mapped.detail.commit,
    branch: mapped.detail.branch,
  });
}

/** GitHub sends either raw JSON or, with the form content type, `payload=<url-encoded JSON>`. */
function payloadText(request: WebhookRequest): string {
  const text = Buffer.from(request.body).toString('utf8');
  const contentType = request.headers['content-type'] ?? '';
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return text;
  const payload = new URLSearchParams(text).get('payload');
  if (payload === null) throw new SyntaxError('form body without a payload field');
  return payload;
}
