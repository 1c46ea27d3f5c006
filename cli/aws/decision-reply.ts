import { REFUSAL_STATUS } from '../../functions/approve/http-response.js';
import { isRefusalCode } from '../../functions/shared/approvals/errors.js';
import type { UrlAnswer } from './approve-url-client.js';

/** The local approvals API's answer shape (runtime/local-api/approvals-route.ts), which the console reads. */
export interface DecisionReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * Translates the approve function URL's answer into the local API's, so the console and the CLI
 * read one shape whichever side decided:
 * - a decision or a recorded vote: 200 with the result (a decision the run did not take is still
 *   200 with `delivered: false`, as locally; the function says 502 to make it visible to curl);
 * - a refusal: the status its `code` field maps to, `{error: code, reason}`; a refusal without a
 *   code we know is an upstream fault (502), never guessed from its text;
 * - a request the function found malformed: 400, `{error: 'invalid-request', reason}`;
 * - IAM refusing the signed request before the function ran: 403 with what to do about it.
 */
export function decisionReply(answer: UrlAnswer): DecisionReply {
  const { status, body } = answer;
  if (body.outcome === 'decided' || body.outcome === 'recorded') return { status: 200, body };
  if (body.outcome === 'refused' && isRefusalCode(body.code)) {
    return { status: REFUSAL_STATUS[body.code], body: { error: body.code, reason: oneLine(body.reason) } };
  }
  if (body.outcome === 'refused') {
    return {
      status: 502,
      body: {
        error: 'upstream',
        reason: oneLine(
          `the approve function refused with an unknown code ${JSON.stringify(body.code)}: ${body.reason}`,
        ),
      },
    };
  }
  if (status === 400) return { status, body: { error: 'invalid-request', reason: oneLine(body.error) } };
  if (status === 401 || status === 403) {
    const detail = oneLine(body.Message ?? body.message ?? body.error ?? 'Forbidden');
    return {
      status: 403,
      body: {
        error: 'forbidden',
        reason: `AWS refused the signed request (${detail}); your identity needs the stack's ApproverPolicyArn`,
      },
    };
  }
  const detail = oneLine(body.Message ?? body.message ?? body.error ?? '');
  return {
    status: 502,
    body: {
      error: 'upstream',
      reason: `the approve function answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
    },
  };
}

function oneLine(value: unknown): string {
  return String(value ?? '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
    .slice(0, 500);
}
