import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  checkRedeploy,
  type RedeployPorts,
  type RedeployVerdict,
} from '../../functions/register-release/redeploy-check.js';
import { type RedeployAsk, redeployEvent } from '../../functions/register-release/redeploy-event.js';
import { retryTarget } from '../../model/retry-target.js';
import { RunFold } from '../../model/run-fold.js';
import { authorizeMutation } from '../../runtime/local-api/auth.js';
import { BodyError, readJsonObject, replyJson } from '../../runtime/local-api/json-reply.js';
import { BadRequestError, ConflictError, ForbiddenError } from './errors.js';
import { checkHost, sendError } from './http.js';
import { callSfn, type ExecutionDescription, fullHistory, type SfnApi, toMs } from './sfn-api.js';

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
const RETRY_PATH = /^\/api\/runs\/([^/?]+)\/retry(?:\?.*)?$/;
const MAX_BODY = 4096;

/**
 * `POST /api/releases/{version}/deploy {environment, reason?, skipEarlier?}`: the release page's
 * "Deploy to …" buttons. The same check as `tollgate deploy` (a refusal is a 409 with the one-line
 * reason and starts nothing), the same event, and the console's rules for a mutation: loopback
 * Host, then the local secret or same-origin plus the CSRF token.
 */
export function createRedeployRoute(options: RedeployRouteOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method === 'POST' && RETRY_PATH.test(req.url ?? '')) {
      await retry(req, res, options);
      return true;
    }
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
      const name = await start(options, checked, { ...ask, reason: body.reason, requestedBy: options.user });
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

/**
 * `POST /api/runs/{name}/retry {reason?}`: the run page's "Retry from …", `tollgate retry`'s
 * counterpart. A failed run's release runs again from the environment it failed in onwards; a run
 * still running, succeeded, or ended before its release was registered is a 409 with the reason.
 */
async function retry(req: IncomingMessage, res: ServerResponse, options: RedeployRouteOptions) {
  try {
    checkHost(req, options.port());
    const verdict = authorizeMutation(req, { secret: options.secret, port: options.port() });
    if (!verdict.ok) throw new ForbiddenError(verdict.reason);
    const body = await readJsonObject(req, MAX_BODY);
    const { reason } = body;
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 1000))
      throw new BadRequestError('reason must be text of at most 1000 characters');
    const run = decodeURIComponent(RETRY_PATH.exec(req.url ?? '')![1]!);
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(run))
      throw new BadRequestError(
        `run name must be 1 to 80 letters, digits, - or _, got ${JSON.stringify(run)}`,
      );
    // An execution's ARN is its state machine's with `execution` for `stateMachine`, plus its name.
    const executionArn = `${options.stateMachineArn().replace(':stateMachine:', ':execution:')}:${run}`;
    const described = await callSfn<ExecutionDescription>(options.sfn, 'DescribeExecution', { executionArn });
    const events = await fullHistory(options.sfn, executionArn);
    const timeline = RunFold.timeline(
      events.map((e) => ({ ...e, timestamp: toMs(e.timestamp) })),
      { running: described.status === 'RUNNING', now: Date.now() },
    );
    const target = retryTarget(
      run,
      timeline,
      options.config.environments.map((e) => e.name),
    );
    if (!target.retry) throw new ConflictError(target.reason);
    const { environment } = target;
    const ask = { release: target.release, environment, skipEarlier: false };
    const checked = await checkRedeploy(ask, options);
    if (!checked.allowed) throw new ConflictError(checked.reason);
    const name = await start(options, checked, {
      ...ask,
      reason: typeof reason === 'string' && reason !== '' ? reason : `retry of run ${run}`,
      requestedBy: options.user,
      retryOf: run,
    });
    replyJson(res, 202, { run: name, retryOf: run, release: checked.release.version, from: environment });
  } catch (error) {
    sendError(
      res,
      error instanceof BodyError ? new BadRequestError(error.message) : error,
      options.onInternalError ?? console.error,
    );
  }
}

/** Starts the run the ask describes; the ask was checked by the caller. */
async function start(
  options: RedeployRouteOptions,
  checked: Extract<RedeployVerdict, { allowed: true }>,
  ask: RedeployAsk,
): Promise<string> {
  const name = randomUUID();
  await callSfn(options.sfn, 'StartExecution', {
    stateMachineArn: options.stateMachineArn(),
    name,
    input: JSON.stringify(redeployEvent(checked.release, ask, new Date())),
  });
  return name;
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
