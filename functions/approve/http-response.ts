import type { RefusalCode } from '../shared/approvals/errors.js';

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Refusals map to the status a client can act on: who you are (403), what you named (404), when (409). */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, number>> = {
  'unknown-approval': 404,
  'not-an-approver': 403,
  'self-approval': 403,
  'not-pending': 409,
  expired: 409,
  'run-ended': 409,
  'double-vote': 409,
};

export function json(statusCode: number, value: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(value),
  };
}
