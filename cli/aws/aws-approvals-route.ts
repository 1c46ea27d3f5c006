import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApprovalStore } from '../../functions/shared/ports/approval-store.js';
import { approvalsApi, publicView } from '../../runtime/local-api/approvals-route.js';
import { authorizeMutation } from '../../runtime/local-api/auth.js';
import { readDecisionBody } from '../../runtime/local-api/decision-body.js';
import { replyJson } from '../../runtime/local-api/json-reply.js';
import type { ExtraRoutes } from '../../runtime/server/api-server.js';
import type { ApproveUrlClient } from './approve-url-client.js';
import { decisionReply } from './decision-reply.js';

export interface AwsApprovalsRouteOptions {
  /** This console process's secret: only its CSRF token, served in the page, may decide. */
  readonly secret: string;
  readonly port: () => number;
  /** The stack's approvals table, read for the inbox. */
  readonly approvals: Pick<ApprovalStore, 'listPending'>;
  /** The stack's approve function URL, called with the user's own credentials. */
  readonly approveUrl: Pick<ApproveUrlClient, 'decide'>;
}

/**
 * The approvals API of `tollgate console --aws`: the same two routes and answers as the local
 * runtime's, so the console page does not know which side it talks to. Listing reads the stack's
 * table; deciding is a SigV4-signed call to the approve function, which applies the identity
 * rules to the IAM principal that signed it. The same-origin and CSRF checks still guard the
 * browser side, so another web page cannot make this process sign a decision, and the Host check
 * keeps a rebound DNS name from reading the inbox.
 */
export function createAwsApprovalsRoute(options: AwsApprovalsRouteOptions): ExtraRoutes {
  const list = async (url: URL, res: ServerResponse) => {
    const executionArn = url.searchParams.get('executionArn') ?? undefined;
    const pending = await options.approvals.listPending(executionArn ? { executionArn } : undefined);
    return replyJson(res, 200, { approvals: pending.map(publicView) });
  };

  const decide = async (id: string, req: IncomingMessage, res: ServerResponse) => {
    const verdict = authorizeMutation(req, { secret: options.secret, port: options.port() });
    if (!verdict.ok) return replyJson(res, verdict.status, { error: 'forbidden', reason: verdict.reason });
    if (req.headers['x-tollgate-user'] !== undefined) {
      return replyJson(res, 400, {
        error: 'invalid-request',
        reason:
          'X-Tollgate-User does not apply on AWS: you decide as the identity your AWS credentials sign as',
      });
    }
    const body = await readDecisionBody(req, res);
    if (!body) return true;
    if (body.decision !== 'approve' && body.decision !== 'reject') {
      return replyJson(res, 400, {
        error: 'invalid-request',
        reason: 'decision must be "approve" or "reject"',
      });
    }
    if (body.comment !== undefined && typeof body.comment !== 'string') {
      return replyJson(res, 400, { error: 'invalid-request', reason: 'comment must be a string' });
    }
    const answer = await options.approveUrl.decide({
      approvalId: id,
      decision: body.decision,
      comment: body.comment ?? '',
    });
    const reply = decisionReply(answer);
    return replyJson(res, reply.status, reply.body);
  };

  return approvalsApi({ list, decide }, options.port);
}
