import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { ApprovalStore } from '../../functions/shared/ports/approval-store.js';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import { authorizeMutation, csrfToken } from '../../runtime/local-api/auth.js';
import {
  BadRequestError,
  ConsoleConfigError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
} from './errors.js';
import { buildGraphModel, type GraphModel } from './graph-model.js';
import { checkHost, SECURITY_HEADERS, sendError, sendJson } from './http.js';
import { compareEnvironments, environmentsBoard, recentRefusals, releasePage } from './ledger-views.js';
import { redact } from './redact.js';
import { requireExecution, runDetail } from './run-detail.js';
import { type LiveEvent, RunIndex } from './run-index.js';
import { callSfn, type SfnApi, type WireHistoryEvent } from './sfn-api.js';
import { SseHub } from './sse-hub.js';
import { appScript, appStyles, CONTENT_SECURITY_POLICY, consolePage } from './ui-assets.js';

export { buildGraphModel, type GraphModel } from './graph-model.js';
export { type SfnApi, sfnClientApi } from './sfn-api.js';

/** What the console needs; nothing else reaches it. */
export interface ConsoleDeps {
  /** The engine's `AWSStepFunctions` service locally, `sfnClientApi(new SFNClient())` with --aws. */
  readonly sfn: SfnApi;
  readonly ledger: Pick<Ledger, 'query'>;
  readonly approvals: Pick<ApprovalStore, 'listPending'>;
  /** The pipeline's ASL (substituted or not: only its shape is used). */
  readonly aslText: string;
  readonly stateMachineArn: string;
  readonly config: TollgateConfig;
  /** The local secret; the console only derives the CSRF token from it and checks mutations. */
  readonly secret: string;
  /** The port the console is served on, for the same-origin and Host checks. */
  readonly port: number;
  /** The engine's live history (`engine.onEvent`); without it the runs list re-lists when stale. */
  readonly onEvent?: (listener: (executionArn: string, event: LiveEvent) => void) => () => void;
  /** @default systemClock */
  readonly clock?: Clock;
  /** How stale the runs list may get without live events. @default 3000 */
  readonly pollMs?: number;
  /** Told about unexpected failures answered as 500. @default console.error */
  readonly onInternalError?: (error: unknown) => void;
}

export type ConsoleRoutes = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & {
  /** Stops following the engine and ends open event streams. */
  close(): void;
};

const RUN_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/]{1,80}$/;
const MAX_HISTORY_PAGE = 1000;

export function createConsoleRoutes(deps: ConsoleDeps): ConsoleRoutes {
  validateDeps(deps);
  let graph: GraphModel;
  try {
    graph = buildGraphModel(deps.aslText);
  } catch (error) {
    throw new ConsoleConfigError(`the pipeline ASL cannot be drawn: ${(error as Error).message}`);
  }
  const clock = deps.clock ?? systemClock;
  const environments = deps.config.environments.map((e) => e.name);
  const index = new RunIndex({
    sfn: deps.sfn,
    ledger: deps.ledger,
    stateMachineArn: deps.stateMachineArn,
    environments,
    clock,
    live: deps.onEvent !== undefined,
    pollMs: deps.pollMs,
  });
  const hub = new SseHub();
  const report =
    deps.onInternalError ?? ((error: unknown) => console.error('console: internal error', error));
  const unsubscribeIndex = index.subscribe((run) => hub.send('run', redact(run)));
  const lastActivity = new Map<string, number>();
  const unsubscribeEngine = deps.onEvent?.((executionArn, event) => {
    index.applyEvent(executionArn, event);
    // Progress inside a run (a stage started or ended) tells open run pages to reload, at most
    // twice a second per run so a polling loop does not flood them.
    const now = clock.now().getTime();
    if (now - (lastActivity.get(executionArn) ?? 0) >= 500 || event.type.startsWith('Execution')) {
      lastActivity.set(executionArn, now);
      hub.send('activity', { executionArn, type: event.type, id: event.id });
    }
  });
  const poller = deps.onEvent
    ? null
    : setInterval(() => {
        if (hub.size > 0) index.list({ limit: 1 }).catch(report);
      }, deps.pollMs ?? 3000);
  poller?.unref();
  const token = csrfToken(deps.secret);

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/console' || path === '/console/') {
      allowMethods(method, ['GET', 'HEAD']);
      const html = consolePage(token, deps.config.name);
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': CONTENT_SECURITY_POLICY,
      });
      res.end(method === 'HEAD' ? undefined : html);
      return true;
    }
    if (path === '/console/app.js' || path === '/console/app.css') {
      allowMethods(method, ['GET']);
      const js = path.endsWith('.js');
      const body = js ? await appScript() : await appStyles();
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': js ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      });
      res.end(body);
      return true;
    }
    if (path === '/api/events') {
      allowMethods(method, ['GET']);
      hub.open(res);
      return true;
    }
    if (path === '/api/runs') {
      allowMethods(method, ['GET']);
      const q = url.searchParams;
      const limit = q.get('limit');
      sendJson(
        res,
        200,
        redact(
          await index.list({
            status: q.get('status') ?? undefined,
            branch: q.get('branch') ?? undefined,
            environment: q.get('environment') ?? undefined,
            cursor: q.get('cursor') ?? undefined,
            limit: limit === null ? undefined : strictInteger(limit, 'limit'),
          }),
        ),
      );
      return true;
    }
    const run = /^\/api\/runs\/([^/]+)(\/history|\/redrive)?$/.exec(path);
    if (run) {
      const name = runName(run[1]);
      const executionArn = index.executionArnOf(name);
      if (run[2] === '/redrive') {
        allowMethods(method, ['POST']);
        const verdict = authorizeMutation(req, { secret: deps.secret, port: deps.port });
        if (!verdict.ok) throw new ForbiddenError(verdict.reason);
        req.resume();
        await requireExecution(deps.sfn, executionArn, name);
        const result = await callSfn<{ redriveDate?: number }>(deps.sfn, 'RedriveExecution', {
          executionArn,
        });
        sendJson(res, 200, { redriven: name, redriveDate: result.redriveDate ?? null });
        return true;
      }
      allowMethods(method, ['GET']);
      if (run[2] === '/history') {
        sendJson(res, 200, await historyPage(deps.sfn, executionArn, name, url.searchParams));
        return true;
      }
      await requireExecution(deps.sfn, executionArn, name);
      sendJson(res, 200, await runDetail({ ...deps, clock }, executionArn));
      return true;
    }
    if (path === '/api/graph') {
      allowMethods(method, ['GET']);
      sendJson(res, 200, graph);
      return true;
    }
    if (path === '/api/envs' || path === '/api/envs/compare') {
      allowMethods(method, ['GET']);
      const entries = await deps.ledger.query({ pipeline: deps.config.name });
      if (path === '/api/envs') {
        sendJson(res, 200, { environments: environmentsBoard(entries, environments) });
      } else {
        const a = url.searchParams.get('a') ?? '';
        const b = url.searchParams.get('b') ?? '';
        sendJson(res, 200, redact(compareEnvironments(entries, environments, a, b)));
      }
      return true;
    }
    const release = /^\/api\/releases\/([^/]+)$/.exec(path);
    if (release) {
      allowMethods(method, ['GET']);
      const entries = await deps.ledger.query({ pipeline: deps.config.name });
      sendJson(res, 200, releasePage(entries, decode(release[1])));
      return true;
    }
    if (path === '/api/refusals') {
      allowMethods(method, ['GET']);
      const entries = await deps.ledger.query({ kinds: ['approval-refused'] });
      sendJson(res, 200, { refusals: recentRefusals(entries) });
      return true;
    }
    return false;
  };

  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    if (!isConsolePath(url.pathname)) return false;
    try {
      checkHost(req, deps.port);
      return await handle(req, res, url);
    } catch (error) {
      sendError(res, error, report);
      return true;
    }
  };
  return Object.assign(routes, {
    close() {
      unsubscribeEngine?.();
      unsubscribeIndex();
      if (poller) clearInterval(poller);
      hub.close();
    },
  });
}

function isConsolePath(path: string): boolean {
  return (
    path === '/console' ||
    path.startsWith('/console/') ||
    path === '/api/events' ||
    path === '/api/runs' ||
    path.startsWith('/api/runs/') ||
    path === '/api/graph' ||
    path === '/api/envs' ||
    path === '/api/envs/compare' ||
    path.startsWith('/api/releases/') ||
    path === '/api/refusals'
  );
}

async function historyPage(sfn: SfnApi, executionArn: string, name: string, q: URLSearchParams) {
  const cursor = q.get('cursor');
  if (cursor !== null && (cursor.length === 0 || cursor.length > 3096)) {
    throw new BadRequestError('cursor must be the nextCursor of a previous history page');
  }
  const limitText = q.get('limit');
  const limit = limitText === null ? MAX_HISTORY_PAGE : strictInteger(limitText, 'limit');
  if (limit < 1 || limit > MAX_HISTORY_PAGE)
    throw new BadRequestError(`limit must be from 1 to ${MAX_HISTORY_PAGE}`);
  try {
    const page = await callSfn<{ events: WireHistoryEvent[]; nextToken?: string }>(
      sfn,
      'GetExecutionHistory',
      {
        executionArn,
        maxResults: limit,
        ...(cursor ? { nextToken: cursor } : {}),
      },
    );
    return { events: redact(page.events), nextCursor: page.nextToken ?? null };
  } catch (error) {
    if (error instanceof NotFoundError) throw new NotFoundError(`no run named ${JSON.stringify(name)}`);
    throw error;
  }
}

function allowMethods(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) {
    throw new MethodNotAllowedError(`${method} is not allowed here; use ${allowed.join(' or ')}`);
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError('the path is not valid percent-encoding');
  }
}

function runName(segment: string): string {
  const name = decode(segment);
  if (!RUN_NAME.test(name)) {
    throw new BadRequestError(
      `run name must be 1 to 80 characters without spaces or ${'<>{}[]?*"#%\\^|~`$&,;:/'}`,
    );
  }
  return name;
}

function strictInteger(text: string, field: string): number {
  if (!/^\d{1,6}$/.test(text))
    throw new BadRequestError(`${field} must be a whole number, got ${JSON.stringify(text.slice(0, 20))}`);
  return Number(text);
}

function validateDeps(deps: ConsoleDeps): void {
  const problems: string[] = [];
  if (!deps || typeof deps !== 'object')
    throw new ConsoleConfigError('createConsoleRoutes needs its deps object');
  if (typeof deps.sfn?.dispatch !== 'function') problems.push('sfn.dispatch');
  if (typeof deps.ledger?.query !== 'function') problems.push('ledger.query');
  if (typeof deps.approvals?.listPending !== 'function') problems.push('approvals.listPending');
  if (typeof deps.aslText !== 'string') problems.push('aslText');
  if (typeof deps.stateMachineArn !== 'string' || !deps.stateMachineArn.includes(':stateMachine:'))
    problems.push('stateMachineArn');
  if (!Array.isArray(deps.config?.environments)) problems.push('config');
  if (typeof deps.secret !== 'string' || deps.secret.length < 16)
    problems.push('secret (at least 16 characters)');
  if (!Number.isInteger(deps.port) || deps.port < 1 || deps.port > 65535) problems.push('port (1-65535)');
  if (problems.length > 0)
    throw new ConsoleConfigError(`createConsoleRoutes: missing or invalid ${problems.join(', ')}`);
}
