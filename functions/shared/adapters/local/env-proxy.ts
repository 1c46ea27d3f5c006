import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Dispatcher, Pool } from 'undici';
import type { Clock } from '../../clock.js';
import { ProxyExchange } from './proxy-exchange.js';
import { forwardedRequest } from './proxy-headers.js';
import { RequestLog } from './proxy-metrics-source.js';
import { type Routes, releaseCookie, WeightedRoutes } from './weighted-routes.js';

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
 *
 * Its CPU per request is the bench's whole story (load generator, proxy and app share two cores),
 * so the upstream side is undici's Pool.dispatch with a handler (proxy-exchange.ts) rather than
 * http.request, whose ClientRequest, IncomingMessage and pipe cost about twice as much.
 */
export class EnvProxy {
  readonly log: RequestLog;
  private server: Server | undefined;
  private readonly routes = new WeightedRoutes();
  // Reused connections to each app, one pool per port: a new TCP connection per request cut
  // throughput to a twentieth of the app's own (bench: canary). undici drops an idle socket before
  // the app's announced keep-alive timeout ends, so a request never lands on a socket the app is
  // closing.
  private readonly pools = new Map<number, Pool>();

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
    const routed = new Set([routes.baseline?.port, routes.canary?.port]);
    for (const [port, pool] of this.pools) {
      if (routed.has(port)) continue;
      // close() lets the requests already on this pool finish on the app they started on.
      this.pools.delete(port);
      void pool.close();
    }
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => this.forward(req, res));
    // Node's own default, stated: close() ends idle client sockets itself, and Node's http Agent
    // will not reuse a socket announced with `Keep-Alive: timeout=1` (it keeps a 1 s margin), so
    // the 1 s this was made every Node client reconnect for each request.
    server.keepAliveTimeout = 5_000;
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
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const { clock, environment } = this.options;
    const started = clock.now().getTime();
    const forwarded = forwardedRequest(req.rawHeaders, req.socket.remoteAddress ?? '');
    const choice = this.routes.choose(releaseCookie(forwarded.cookie));
    if (!choice) {
      this.reply(res, 503, `no release is running in environment "${environment}"`);
      const at = clock.now().getTime();
      this.log.record({ at, status: 503, latencyMs: Math.max(0, at - started) });
      return;
    }
    const { target, pin } = choice;
    const exchange = new ProxyExchange(res, this.log, clock, started, target.version, pin, environment);
    this.pool(target.port).dispatch(
      {
        path: req.url ?? '/',
        method: req.method as Dispatcher.HttpMethod,
        headers: forwarded.headers,
        // A bodyless request (most GETs) skips undici's stream reader entirely.
        body: forwarded.hasBody ? req : null,
      },
      exchange,
    );
  }

  private pool(port: number): Pool {
    let pool = this.pools.get(port);
    if (!pool) {
      // No headers or body timeout: the proxy never cut a slow app or a long stream off before.
      pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, headersTimeout: 0, bodyTimeout: 0 });
      this.pools.set(port, pool);
    }
    return pool;
  }

  private reply(res: ServerResponse, status: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: message }));
  }
}
