import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApproveInput, approve } from '../../functions/approve/approve.js';
import { REFUSAL_STATUS } from '../../functions/approve/http-response.js';
import { type ApprovalPortsFactory, memoPorts } from '../../functions/shared/approvals/approval-ports.js';
import { InvalidInputError } from '../../functions/shared/errors.js';
import type { ApprovalRecord } from '../../functions/shared/ports/approval-store.js';
import type { ExtraRoutes } from '../server/api-server.js';
import { authorizeMutation, isLoopbackHost } from './auth.js';
import { readDecisionBody } from './decision-body.js';
import { replyJson } from './json-reply.js';
import { type RouteParams, RouteTable } from './route-table.js';

/**
 * The local approvals API:
 * - `GET /api/approvals[?executionArn=…]`: pending approvals, oldest first, without token hashes;
 * - `POST /api/approvals/{id}/decision` `{decision: 'approve'|'reject', comment}`.
 *
 * A decision calls the approve task's own logic (`approve()`), so the identity rules, the ledger
 * trail and the resume of the run are exactly those of the approve function, and a refusal comes
 * back as data whose code picks the HTTP status. Who is deciding: the CLI proves it owns the data
 * directory with the local secret and names the person in `X-Tollgate-User`; a browser
 * (same-origin + CSRF) decides as the user the runtime runs as.
 */
export interface ApprovalsRouteOptions {
  readonly secret: string;
  /** The server's port, for the same-origin check; a getter because port 0 is chosen at listen. */
  readonly port: () => number;
  /** The OS user `tollgate up` runs as. */
  readonly runtimeUser: string;
  readonly ports: ApprovalPortsFactory;
}

const USER = /^\S{1,256}$/;

export function createApprovalsRoute(options: ApprovalsRouteOptions): ExtraRoutes {
  if (!options?.secret || typeof options.port !== 'function' || !USER.test(options.runtimeUser ?? '')) {
    throw new TypeError('createApprovalsRoute: secret, port() and a runtimeUser without spaces are required');
  }
  const shared = memoPorts(options.ports);

  const list = async (url: URL, res: ServerResponse) => {
    const executionArn = url.searchParams.get('executionArn') ?? undefined;
    const { approvals } = await shared();
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
      // The approve task's own logic with the local ports: its answer is data, refusals included.
      const result = await approve(
        {
          approvalId: id,
          decision: body.decision as ApproveInput['decision'],
          comment: (body.comment ?? '') as string,
          caller: { kind: 'local', user: named ?? options.runtimeUser },
          attemptId: randomUUID(),
        },
        await shared(),
      );
      if (result.outcome === 'refused') {
        return replyJson(res, REFUSAL_STATUS[result.code], {
          error: result.code,
          reason: oneLine(result.reason),
        });
      }
      return replyJson(res, 200, result);
    } catch (error) {
      if (error instanceof InvalidInputError) {
        return replyJson(res, 400, { error: 'invalid-request', reason: oneLine(error.message) });
      }
      throw error;
    }
  };

  return approvalsApi({ list, decide }, options.port);
}

export interface ApprovalsApiHandlers {
  list(url: URL, res: ServerResponse): Promise<true>;
  decide(approvalId: string, req: IncomingMessage, res: ServerResponse): Promise<true>;
}

type ApprovalsHandler = (
  url: URL,
  params: RouteParams,
  req: IncomingMessage,
  res: ServerResponse,
) => Promise<true>;

/**
 * The approvals API's one route table, served locally and by `tollgate console --aws` with their
 * own handlers, so both answer the same paths, methods and refusals. Reading routes are guarded
 * by the Host check too (DNS rebinding could otherwise read the inbox).
 */
export function approvalsApi(handlers: ApprovalsApiHandlers, port: () => number): ExtraRoutes {
  const table = new RouteTable<ApprovalsHandler>([
    { method: 'GET', path: '/api/approvals', handler: (url, _params, _req, res) => handlers.list(url, res) },
    {
      method: 'POST',
      path: '/api/approvals/:id/decision',
      handler: (_url, params, req, res) => handlers.decide(params.id!, req, res),
    },
  ]);
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const found = table.match(req.method ?? 'GET', url.pathname);
    if (found.kind === 'not-found') return false;
    if (!isLoopbackHost(req.headers.host, port())) {
      const reason = `unexpected Host ${JSON.stringify(req.headers.host ?? '')}; use http://127.0.0.1:${port()}`;
      return replyJson(res, 403, { error: 'forbidden', reason });
    }
    if (found.kind === 'method-not-allowed') {
      return replyJson(res, 405, {
        error: 'method-not-allowed',
        reason: `use ${found.allowed.join(' or ')}`,
      });
    }
    if (found.kind === 'bad-encoding') {
      return replyJson(res, 400, {
        error: 'invalid-request',
        reason: 'the approval id is not valid percent-encoding',
      });
    }
    return found.handler(url, found.params, req, res);
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
