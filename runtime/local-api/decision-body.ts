import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyError, readJsonObject, replyJson } from './json-reply.js';

const MAX_BODY = 16 * 1024;
const BODY_KEYS = new Set(['decision', 'comment']);

/**
 * Reads `{decision, comment}` from a decision request, or answers the 400/413 itself and returns
 * undefined. Shared by the local approvals route and `tollgate console --aws`, so both refuse the
 * same bodies with the same words (a body naming a `caller` is refused here, never trusted).
 */
export async function readDecisionBody(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Record<string, unknown> | undefined> {
  let body: Record<string, unknown>;
  try {
    body = await readJsonObject(req, MAX_BODY);
  } catch (error) {
    if (error instanceof BodyError) {
      replyJson(res, error.status, { error: 'invalid-request', reason: error.message });
      return undefined;
    }
    throw error;
  }
  const unknown = Object.keys(body).filter((k) => !BODY_KEYS.has(k));
  if (unknown.length > 0) {
    replyJson(res, 400, {
      error: 'invalid-request',
      reason: `unknown field(s) ${unknown.join(', ')}; send {decision, comment}`,
    });
    return undefined;
  }
  return body;
}
