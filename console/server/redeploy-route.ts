import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRedeploy, type RedeployPorts } from '../../functions/register-release/redeploy-check.js';
import { redeployEvent } from '../../functions/register-release/redeploy-event.js';
import { authorizeMutation } from '../../runtime/local-api/auth.js';
import { BodyError, readJsonObject, replyJson } from '../../runtime/local-api/json-reply.js';
import { BadRequestError, ConflictError, ForbiddenError } from './errors.js';
import { checkHost, sendError } from './http.js';
import { callSfn, type SfnApi } from './sfn-api.js';

export interface RedeployRouteOptions extends RedeployPorts {
  readonly sfn: SfnApi;
  readonly stateMachineArn: () => string;
  readonly secret: string;
  readonly port: () => number;
  /** Who a deploy from the console is attributed to: the user `tollgate up` runs as. */
  readonly user: string;
  readonly onInternalError?: (error: unknown) => void;
}

const PATH = /^\/api\/releases\/([^/?]+)\/deploy(?:\?.*)?$/;
const MAX_BODY = 4096;

/**
 * `POST /api/releases/{version}/deploy {environment, reason?, skipEarlier?}`: the release page's
 * "Deploy to …" buttons. The same check as `tollgate deploy` (a refusal is a 409 with the one-line
 * reason and starts nothing), the same event, and the console's rules for a mutation: loopback
 * Host, then the local secret or same-origin plus the CSRF token.
 */
export function createRedeployRoute(options: RedeployRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const match = PATH.exec(req.url ?? '');
    if (!match || req.method !== 'POST') return false;
    try {
      checkHost(req, options.port());
      const verdict = authorizeMutation(req, { secret: options.secret, port: options.port() });
      if (!verdict.ok) throw new ForbiddenError(verdict.reason);
      const body = await readBody(req);
      const release = decodeURIComponent(match[1]!);
      const ask = { release, environment: body.environment, skipEarlier: body.skipEarlier };
      const checked = await checkRedeploy(ask, options);
      if (!checked.allowed) throw new ConflictError(checked.reason);
      const name = randomUUID();
      const input = redeployEvent(
        checked.release,
        { ...ask, reason: body.reason, requestedBy: options.user },
        new Date(),
      );
      await callSfn(options.sfn, 'StartExecution', {
        stateMachineArn: options.stateMachineArn(),
        name,
        input: JSON.stringify(input),
      });
      replyJson(res, 202, {
        run: name,
        release: checked.release.version,
        environment: ask.environment,
        notPassed: checked.notPassed,
      });
    } catch (error) {
      sendError(
        res,
        error instanceof BodyError ? new BadRequestError(error.message) : error,
        options.onInternalError ?? console.error,
      );
    }
    return true;
  };
}

async function readBody(
  req: IncomingMessage,
): Promise<{ environment: string; reason: string; skipEarlier: boolean }> {
  const body = await readJsonObject(req, MAX_BODY);
  const { environment, reason = '', skipEarlier = false } = body;
  if (typeof environment !== 'string' || environment === '')
    throw new BadRequestError('environment must be the name of an environment');
  if (typeof reason !== 'string' || reason.length > 1000)
    throw new BadRequestError('reason must be text of at most 1000 characters');
  if (typeof skipEarlier !== 'boolean') throw new BadRequestError('skipEarlier must be true or false');
  return { environment, reason, skipEarlier };
}
