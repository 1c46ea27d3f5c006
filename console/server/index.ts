import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Clock, systemClock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import type { ApprovalStore } from '../../functions/shared/ports/approval-store.js';
import type { Ledger } from '../../functions/shared/ports/ledger.js';
import type { TaskLogs } from '../../functions/shared/ports/task-logs.js';
import { approvalHistory } from '../../model/approval-history.js';
import type { RepositoryWeb } from '../../model/commit-link.js';
import { authorizeMutation, csrfToken } from '../../runtime/local-api/auth.js';
import { replyJson, SECURITY_HEADERS } from '../../runtime/local-api/json-reply.js';
import { type RouteParams, RouteTable } from '../../runtime/local-api/route-table.js';
import { boardOf, statsOf } from './delivery-views.js';
import {
  BadRequestError,
  ConsoleConfigError,
  ForbiddenError,
  MethodNotAllowedError,
  NotFoundError,
} from './errors.js';
import { buildGraphModel, type GraphModel } from './graph-model.js';
import { checkHost, sendError } from './http.js';
import { LedgerCache } from './ledger-cache.js';
import { compareEnvironments, environmentsBoard, recentRefusals, releasePage } from './ledger-views.js';
import { redact } from './redact.js';
import { requireExecution, runDetail } from './run-detail.js';
import { type LiveEvent, RunIndex } from './run-index.js';
import { RunTimelines } from './run-timelines.js';
import { callSfn, type SfnApi, type WireHistoryEvent } from './sfn-api.js';
import { SseHub } from './sse-hub.js';
import { stageLogs } from './task-logs-route.js';
import { appScript, appStyles, CONTENT_SECURITY_POLICY, consolePage } from './ui-assets.js';

export { sfnClientApi } from './sfn-api.js';

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
  /** The tasks' log lines per run (the runtime's store locally); without it the logs route says so. */
  readonly taskLogs?: TaskLogs;
  /** The repository on its git host, for links to commits (see repository-link.ts). */
  readonly repository?: RepositoryWeb | null;
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

/** What a console route handler gets: the request, its URL and the path's decoded parameters. */
interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly method: string;
  readonly params: RouteParams;
}
type ConsoleHandler = (context: RouteContext) => Promise<unknown>;

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
  const ledgerCache = new LedgerCache(() => deps.ledger.query({ pipeline: deps.config.name }), {
    clock,
    live: deps.onEvent !== undefined,
    maxAgeMs: deps.pollMs ?? 3000,
  });
  const unsubscribeEngine = deps.onEvent?.((executionArn, event) => {
    ledgerCache.invalidate();
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

  const page = async ({ res, method }: RouteContext) => {
    const html = consolePage(token, deps.config.name, environments);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    });
    res.end(method === 'HEAD' ? undefined : html);
  };
  const asset =
    (kind: 'js' | 'css') =>
    async ({ res }: RouteContext) => {
      const body = kind === 'js' ? await appScript() : await appStyles();
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': kind === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
      });
      res.end(body);
    };
  const ledgerEntries = () => ledgerCache.get();
  const delivery = {
    index,
    timelines: new RunTimelines(deps.sfn, clock),
    ledgerEntries,
    environments,
    clock,
  };

  const table = new RouteTable<ConsoleHandler>([
    { method: ['GET', 'HEAD'], path: '/console', handler: page },
    { method: ['GET', 'HEAD'], path: '/console/', handler: page },
    { method: 'GET', path: '/console/app.js', handler: asset('js') },
    { method: 'GET', path: '/console/app.css', handler: asset('css') },
    { method: 'GET', path: '/api/events', handler: async ({ res }) => hub.open(res) },
    {
      method: 'GET',
      path: '/api/runs',
      handler: async ({ res, url }) => {
        const q = url.searchParams;
        const limit = q.get('limit');
        const runs = await index.list({
          status: q.get('status') ?? undefined,
          branch: q.get('branch') ?? undefined,
          environment: q.get('environment') ?? undefined,
          cursor: q.get('cursor') ?? undefined,
          commit: q.get('commit') ?? undefined,
          author: q.get('author') ?? undefined,
          text: q.get('text') ?? undefined,
          ticket: q.get('ticket') ?? undefined,
          from: q.get('from') ?? undefined,
          to: q.get('to') ?? undefined,
          limit: limit === null ? undefined : strictInteger(limit, 'limit'),
        });
        replyJson(res, 200, redact(runs));
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:name',
      handler: async ({ res, params }) => {
        const name = runName(params.name!);
        const executionArn = index.executionArnOf(name);
        await requireExecution(deps.sfn, executionArn, name);
        const [detail, numbers] = await Promise.all([
          runDetail({ ...deps, clock, graph }, executionArn),
          index.open(),
        ]);
        // The page is titled by the run's short number, as the runs list and the board name it.
        replyJson(res, 200, { ...detail, run: { ...detail.run, number: numbers.numberOf(name) } });
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:name/logs',
      handler: async ({ res, url, params }) => {
        const name = runName(params.name!);
        if (!deps.taskLogs) throw new NotFoundError('this console was started without a task log store');
        const executionArn = index.executionArnOf(name);
        await requireExecution(deps.sfn, executionArn, name);
        replyJson(res, 200, await stageLogs(deps.taskLogs, executionArn, url.searchParams, environments));
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:name/history',
      handler: async ({ res, url, params }) => {
        const name = runName(params.name!);
        const executionArn = index.executionArnOf(name);
        replyJson(res, 200, await historyPage(deps.sfn, executionArn, name, url.searchParams));
      },
    },
    {
      method: 'POST',
      path: '/api/runs/:name/redrive',
      handler: async ({ req, res, params }) => {
        const name = runName(params.name!);
        const executionArn = index.executionArnOf(name);
        const verdict = authorizeMutation(req, { secret: deps.secret, port: deps.port });
        if (!verdict.ok) throw new ForbiddenError(verdict.reason);
        req.resume();
        await requireExecution(deps.sfn, executionArn, name);
        const result = await callSfn<{ redriveDate?: number }>(deps.sfn, 'RedriveExecution', {
          executionArn,
        });
        replyJson(res, 200, { redriven: name, redriveDate: result.redriveDate ?? null });
      },
    },
    {
      method: 'GET',
      path: '/api/run-numbers/:number',
      handler: async ({ res, params }) => {
        const n = strictInteger(params.number!, 'run number');
        const run = n >= 1 ? await index.byNumber(n) : null;
        if (!run) throw new NotFoundError(`no run #${n}`);
        replyJson(res, 200, redact(run));
      },
    },
    {
      method: 'GET',
      path: '/api/board',
      handler: async ({ res }) => replyJson(res, 200, redact(await boardOf(delivery))),
    },
    {
      method: 'GET',
      path: '/api/stats',
      handler: async ({ res, url }) => replyJson(res, 200, await statsOf(delivery, url.searchParams)),
    },
    { method: 'GET', path: '/api/graph', handler: async ({ res }) => replyJson(res, 200, graph) },
    {
      method: 'GET',
      path: '/api/envs',
      handler: async ({ res }) =>
        replyJson(res, 200, { environments: environmentsBoard(await ledgerEntries(), environments) }),
    },
    {
      method: 'GET',
      path: '/api/envs/compare',
      handler: async ({ res, url }) => {
        const a = url.searchParams.get('a') ?? '';
        const b = url.searchParams.get('b') ?? '';
        replyJson(res, 200, redact(compareEnvironments(await ledgerEntries(), environments, a, b)));
      },
    },
    {
      method: 'GET',
      path: '/api/releases/:version',
      handler: async ({ res, params }) =>
        replyJson(res, 200, releasePage(await ledgerEntries(), params.version!)),
    },
    {
      method: 'GET',
      path: '/api/approval-history',
      handler: async ({ res }) =>
        replyJson(res, 200, { history: redact(approvalHistory(await ledgerEntries())) }),
    },
    {
      method: 'GET',
      path: '/api/refusals',
      handler: async ({ res }) => {
        const entries = await deps.ledger.query({ kinds: ['approval-refused'] });
        replyJson(res, 200, { refusals: recentRefusals(entries) });
      },
    },
  ]);

  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const method = req.method ?? 'GET';
    const found = table.match(method, url.pathname);
    if (found.kind === 'not-found') return false;
    try {
      checkHost(req, deps.port);
      if (found.kind === 'method-not-allowed') {
        throw new MethodNotAllowedError(`${method} is not allowed here; use ${found.allowed.join(' or ')}`);
      }
      if (found.kind === 'bad-encoding') throw new BadRequestError('the path is not valid percent-encoding');
      await found.handler({ req, res, url, method, params: found.params });
    } catch (error) {
      sendError(res, error, report);
    }
    return true;
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

function runName(name: string): string {
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
