import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHandler } from '../../functions/approve/handler.js';
import { REFUSAL_STATUS } from '../../functions/approve/http-response.js';
import type { ApprovalPortsFactory } from '../../functions/shared/approvals/approval-ports.js';
import { ApprovalRefusedError, InvalidInputError } from '../../functions/shared/errors.js';
import type { ApprovalRecord } from '../../functions/shared/ports/approval-store.js';
import type { ExtraRoutes } from '../server/api-server.js';
import { authorizeMutation, isLoopbackHost } from './auth.js';
import { readDecisionBody } from './decision-body.js';
import { replyJson } from './json-reply.js';

/**
 * The local approvals API:
 * - `GET /api/approvals[?executionArn=…]`: pending approvals, oldest first, without token hashes;
 * - `POST /api/approvals/{id}/decision` `{decision: 'approve'|'reject', comment}`.
 *
 * A decision runs the approve task's own trusted entry (`createHandler`), so the identity rules,
 * the ledger trail and the resume of the run are exactly those of the approve function. Who is
 * deciding: the CLI proves it owns the data directory with the local secret and names the person
 * in `X-Tollgate-User`; a browser (same-origin + CSRF) decides as the user the runtime runs as.
 */
export interface ApprovalsRouteOptions {
  readonly secret: string;
  /** The server's port, for the same-origin check; a getter because port 0 is chosen at listen. */
  readonly port: () => number;
  /** The OS user `tollgate up` runs as. */
  readonly runtimeUser: string;
  readonly ports: ApprovalPortsFactory;
}

const DECISION_PATH = /^\/api\/approvals\/([^/]+)\/decision$/;
const USER = /^\S{1,256}$/;

export function createApprovalsRoute(options: ApprovalsRouteOptions): ExtraRoutes {
  if (!options?.secret || typeof options.port !== 'function' || !USER.test(options.runtimeUser ?? '')) {
    throw new TypeError('createApprovalsRoute: secret, port() and a runtimeUser without spaces are required');
  }
  const approve = createHandler(options.ports);

  const list = async (url: URL, res: ServerResponse) => {
    const executionArn = url.searchParams.get('executionArn') ?? undefined;
    const { approvals } = await options.ports();
    const pending = await approvals.listPending(executionArn ? { executionArn } : undefined);
    return replyJson(res, 200, { approvals: pending.map(publicView) });
  };

  const decide = async (id: string, req: IncomingMessage, res: ServerResponse) => {
    const verdict = authorizeMutation(req, { secret: options.secret, port: options.port() });
    if (!verdict.ok) return replyJson(res, verdict.status, { error: 'forbidden', reason: verdict.reason });
    const named = header(req, 'x-tollgate-user');
    if (named !== undefined && (verdict.via !== 'secret' || !USER.test(named))) {
      const reason =
        verdict.via !== 'secret'
          ? 'X-Tollgate-User is only accepted with the local secret'
          : 'X-Tollgate-User must be 1-256 characters without spaces';
      return replyJson(res, 400, { error: 'invalid-request', reason });
    }
    const body = await readDecisionBody(req, res);
    if (!body) return true;
    try {
      const result = await approve(
        {
          approvalId: id,
          decision: body.decision,
          comment: body.comment ?? '',
          caller: named ?? options.runtimeUser,
        },
        { awsRequestId: 'local-api' },
      );
      return replyJson(res, 200, result);
    } catch (error) {
      if (error instanceof ApprovalRefusedError) {
        const [, code, reason] = /^refused \(([a-z-]+)\): (.*)$/s.exec(error.message) ?? [];
        const status = REFUSAL_STATUS[code as keyof typeof REFUSAL_STATUS] ?? 403;
        return replyJson(res, status, { error: code ?? 'refused', reason: oneLine(reason ?? error.message) });
      }
      if (error instanceof InvalidInputError) {
        return replyJson(res, 400, { error: 'invalid-request', reason: oneLine(error.message) });
      }
      throw error;
    }
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const ours = url.pathname === '/api/approvals' || DECISION_PATH.test(url.pathname);
    if (ours && !isLoopbackHost(req.headers.host, options.port())) {
      const reason = `unexpected Host ${JSON.stringify(req.headers.host ?? '')}; use http://127.0.0.1:${options.port()}`;
      return replyJson(res, 403, { error: 'forbidden', reason });
    }
    if (url.pathname === '/api/approvals') {
      if (req.method !== 'GET')
        return replyJson(res, 405, { error: 'method-not-allowed', reason: 'use GET' });
      return list(url, res);
    }
    const match = DECISION_PATH.exec(url.pathname);
    if (!match) return false;
    if (req.method !== 'POST')
      return replyJson(res, 405, { error: 'method-not-allowed', reason: 'use POST' });
    return decide(decodeURIComponent(match[1]!), req, res);
  };
}

/** What people see of an approval: everything but the token's fingerprint. */
export function publicView(record: ApprovalRecord): Omit<ApprovalRecord, 'tokenHash'> {
  const { tokenHash: _hidden, ...rest } = record;
  return rest;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
