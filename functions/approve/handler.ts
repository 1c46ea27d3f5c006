import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { ApprovalPortsFactory } from '../shared/approvals/approval-ports.js';
import { memoPorts } from '../shared/approvals/approval-ports.js';
import { ApprovalCallbackError, ApprovalRefusedError } from '../shared/approvals/errors.js';
import { InvalidInputError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import { awsApprovals, awsCallback, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { type ApproveResult, approve } from './approve.js';
import { type HttpResponse, json, REFUSAL_STATUS } from './http-response.js';

const decisionBody = z.strictObject({
  approvalId: z.string().min(1).max(200),
  decision: z.enum(['approve', 'reject']),
  comment: z.string().max(2_000).default(''),
});

/**
 * Trusted invocation: the local runtime's API route calls this with the user it runs as. Never
 * deployed behind a URL, because here the caller is taken from the input.
 */
const localInput = decisionBody.extend({
  caller: z.string().min(1).max(256),
  attemptId: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/)
    .optional(),
});

export const createHandler = (ports: ApprovalPortsFactory) => {
  const shared = memoPorts(ports);
  return defineTask(
    {
      name: 'approve',
      input: localInput,
      run: async (event): Promise<ApproveResult> => {
        const result = await approve(
          {
            approvalId: event.approvalId,
            decision: event.decision,
            comment: event.comment,
            caller: { kind: 'local', user: event.caller },
            attemptId: event.attemptId ?? randomUUID(),
          },
          await shared(),
        );
        if (result.outcome === 'refused')
          throw new ApprovalRefusedError({ code: result.code, reason: result.reason });
        return result;
      },
    },
    shared,
  );
};

/**
 * The function URL event (AuthType AWS_IAM). Lambda only runs once SigV4 verified, and the caller
 * comes from `requestContext.authorizer.iam.userArn`; only the three decision fields are read from
 * the body, and a body naming a caller is refused.
 */
const urlEvent = z.object({
  requestContext: z.object({
    requestId: z.string().optional(),
    http: z.object({ method: z.string() }),
    authorizer: z.object({ iam: z.object({ userArn: z.string().min(1) }) }).optional(),
  }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
});

export const createUrlHandler = (ports: ApprovalPortsFactory) => {
  const shared = memoPorts(ports);
  return defineTask(
    {
      name: 'approve',
      input: urlEvent,
      run: async (event, _ports, context): Promise<HttpResponse> => {
        if (event.requestContext.http.method !== 'POST') return json(405, { error: 'use POST' });
        const userArn = event.requestContext.authorizer?.iam.userArn;
        if (!userArn)
          return json(401, { error: 'the request is not signed with AWS credentials (AWS_IAM auth)' });
        let body: z.output<typeof decisionBody>;
        try {
          body = parseBody(event.body, event.isBase64Encoded);
        } catch (error) {
          return json(400, { error: (error as Error).message });
        }
        try {
          const result = await approve(
            {
              ...body,
              caller: { kind: 'iam', arn: userArn },
              attemptId: (event.requestContext.requestId ?? context.awsRequestId).replace(
                /[^A-Za-z0-9-]/g,
                '-',
              ),
            },
            await shared(),
          );
          if (result.outcome === 'refused') return json(REFUSAL_STATUS[result.code], result);
          if (result.outcome === 'decided' && !result.delivered) return json(502, result);
          return json(200, result);
        } catch (error) {
          if (error instanceof InvalidInputError) return json(400, { error: error.message });
          // Step Functions could not say whether the run still runs: nothing was decided; retry.
          if (error instanceof ApprovalCallbackError) return json(503, { error: error.message });
          throw error;
        }
      },
    },
    shared,
  );
};

function parseBody(raw: string | undefined, base64: boolean | undefined) {
  let value: unknown;
  try {
    value = JSON.parse(base64 ? Buffer.from(raw ?? '', 'base64').toString('utf8') : (raw ?? ''));
  } catch {
    throw new InvalidInputError(
      'the body must be JSON: {"approvalId", "decision": "approve"|"reject", "comment"}',
    );
  }
  if (value && typeof value === 'object' && 'caller' in value) {
    throw new InvalidInputError('the caller comes from the signed request, not the body; remove "caller"');
  }
  const parsed = decisionBody.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new InvalidInputError(`invalid approval request: ${detail}`);
  }
  return parsed.data;
}

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('approve', {
  approvals: awsApprovals,
  callback: awsCallback,
  ledger: awsLedger,
});

export const handler = createUrlHandler(awsWiring);
