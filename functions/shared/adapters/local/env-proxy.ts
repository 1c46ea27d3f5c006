import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../clock.js';
import { RequestLog } from './proxy-metrics-source.js';
import { RELEASE_COOKIE, type Routes, releaseCookie, WeightedRoutes } from './weighted-routes.js';

export interface EnvProxyOptions {
  readonly environment: string;
  /** The environment's public port (`deploy.port`); 0 picks a free one (tests). */
  readonly port: number;
  readonly clock: Clock;
  readonly host?: string;
  readonly log?: RequestLog;
}

/**
 * The stable address of one local environment. The app instances come and go on ephemeral ports;
 * the proxy forwards to whichever is active, so a swap is a single assignment and a request never
 * sees a half-started app. During a canary it splits requests by weight between the baseline and
 * the canary (weighted-routes.ts). Every response is counted, with the release that served it,
 * for the local MetricsSource.
 */
export class EnvProxy {
  readonly log: RequestLog;
  private server: Server | undefined;
  private readonly routes = new WeightedRoutes();
  // Reused connections to the apps: a new TCP connection per request cut throughput to a twentieth
  // of the app's own (bench: canary). Idle sockets are dropped after 4 s, before Node's default
  // 5 s server keep-alive closes them from the app's side, so a request never lands on a socket
  // the app is closing.
  private readonly upstreamAgent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });

  constructor(private readonly options: EnvProxyOptions) {
    this.log = options.log ?? new RequestLog();
  }

  get host(): string {
    return this.options.host ?? '127.0.0.1';
  }

  /** The port the proxy listens on; only valid after `listen`. */
  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error(`proxy for environment "${this.options.environment}" is not listening`);
    return address.port;
  }

  /** The baseline's port. */
  get target(): number | undefined {
    return this.routes.current.baseline?.port;
  }

  get current(): Routes {
    return this.routes.current;
  }

  /** Routes every new request to the app on `port`; in-flight requests finish where they started. */
  setTarget(port: number | undefined, version?: string): void {
    this.route({
      ...(port === undefined ? {} : { baseline: { port, ...(version ? { version } : {}) } }),
      canaryPercent: 0,
      sticky: false,
    });
  }

  /** Splits new requests between baseline and canary; throws on a bad percent and keeps the old split. */
  route(routes: Routes): void {
    this.routes.set(routes);
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.forward(req, res));
    // Keep-alive sockets would pin clients to the proxy long after close(); apps are short-lived.
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        const hint = error.code === 'EADDRINUSE' ? ' (is another process using it? change deploy.port)' : '';
        reject(
          new Error(
            `cannot listen on ${this.host}:${this.options.port} for environment "${this.options.environment}": ${error.code ?? error.message}${hint}`,
          ),
        );
      });
      server.listen(this.options.port, this.host, () => resolveListen());
    });
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.upstreamAgent.destroy();
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const started = this.options.clock.now().getTime();
    const choice = this.routes.choose(releaseCookie(req.headers.cookie));
    const release = choice?.target.version;
    const finish = (status: number) => {
      const at = this.options.clock.now().getTime();
      this.log.record({ at, status, latencyMs: Math.max(0, at - started), ...(release ? { release } : {}) });
    };
    if (!choice) {
      this.reply(res, 503, `no release is running in environment "${this.options.environment}"`);
      finish(503);
      return;
    }
    const upstream = request(
      {
        host: '127.0.0.1',
        port: choice.target.port,
        method: req.method,
        path: req.url,
        agent: this.upstreamAgent,
        headers: { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '' },
      },
      (answer) => {
        const headers = choice.pin
          ? { ...answer.headers, 'set-cookie': pinCookie(answer.headers['set-cookie'], choice.pin) }
          : answer.headers;
        res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(res);
        answer.once('end', () => finish(answer.statusCode ?? 502));
        answer.once('error', () => finish(502));
      },
    );
    upstream.once('error', (error: NodeJS.ErrnoException) => {
      if (!res.headersSent)
        this.reply(
          res,
          502,
          `app in environment "${this.options.environment}" did not answer: ${error.code ?? error.message}`,
        );
      else res.destroy();
      finish(502);
    });
    req.pipe(upstream);
  }

  private reply(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message }));
  }
}

/** The app's own cookies plus the pin; the pin lives as long as the browser session. */
function pinCookie(appCookies: string[] | undefined, version: string): string[] {
  const pin = `${RELEASE_COOKIE}=${encodeURIComponent(version)}; Path=/; HttpOnly; SameSite=Lax`;
  return [...(appCookies ?? []), pin];
}
