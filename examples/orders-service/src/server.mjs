// orders-service: a dependency-free HTTP service, started by Tollgate's deployer with PORT set.
// /version reports the release the deployer named in TOLLGATE_RELEASE_* (set on the process
// locally, on the container on ECS), so an environment can prove which immutable release it runs.
// HOST defaults to loopback for a laptop; the image sets 0.0.0.0 so a load balancer reaches it.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { degradingHealth, loadFaults, ordersUnderLoad, versionDelayMs } from './faults.mjs';
import { Counter, EXPOSITION_CONTENT_TYPE, exposition, Histogram } from './metrics.mjs';
import { OrderBook, OrderError } from './orders.mjs';
import { query } from './pg-wire.mjs';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.PORT ?? 8080);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, got "${process.env.PORT}"`);
  process.exit(2);
}

const host = process.env.HOST || '127.0.0.1';

function readRelease() {
  const { TOLLGATE_RELEASE_VERSION: version, TOLLGATE_RELEASE_COMMIT: commit } = process.env;
  const digest = process.env.TOLLGATE_RELEASE_DIGEST;
  if (version && commit && digest) return { version, commit, digest };
  // A deployer that predates the variables wrote the release next to the unpacked tarball.
  const file = join(appRoot, 'release.json');
  if (!existsSync(file)) return { version: 'dev', commit: 'unknown', digest: 'unknown' };
  const written = JSON.parse(readFileSync(file, 'utf8'));
  return { version: written.version, commit: written.commit, digest: written.digest };
}

// A commit can break its own health check by adding a HEALTH_FAIL file (the build packs it);
// scenario tests use that to show a failed deploy leaves the previous release serving.
// src/faults.json can also break it in one environment only, after start-up (see faults.mjs).
const faults = loadFaults(join(appRoot, 'src'));
const degraded = degradingHealth(faults, process.env.TOLLGATE_ENVIRONMENT);
const overloaded = ordersUnderLoad(faults, process.env.TOLLGATE_ENVIRONMENT);
const versionDelay = versionDelayMs(faults, process.env.TOLLGATE_ENVIRONMENT);
const healthFailReason = () => {
  if (process.env.HEALTH_FAIL) return 'HEALTH_FAIL is set in the environment';
  if (existsSync(join(appRoot, 'HEALTH_FAIL'))) return 'this release contains a HEALTH_FAIL marker';
  return degraded();
};

const release = readRelease();
const orders = new OrderBook();

// GET /metrics: what a canary's Prometheus checks compare against the baseline's (see metrics.mjs).
const requestsServed = new Counter(
  'orders_http_requests_total',
  'HTTP requests answered, by method, route and status.',
  ['method', 'route', 'status'],
);
const queryLatency = new Histogram(
  'orders_db_query_duration_seconds',
  'Database query latency in seconds, by query.',
  ['query'],
);
// Route templates, not raw paths, so an order id never becomes a label value of its own.
const routeOf = (pathname) =>
  ['/health', '/version', '/metrics', '/orders', '/orders/recent'].includes(pathname)
    ? pathname
    : /^\/orders\/\d+$/.test(pathname)
      ? '/orders/:id'
      : 'other';

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function readBody(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new OrderError(413, `body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new OrderError(400, 'body must be JSON');
  }
}

async function route(req, res) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/health' && req.method === 'GET') {
    const reason = healthFailReason();
    return reason ? send(res, 503, { status: 'unhealthy', reason }) : send(res, 200, { status: 'ok' });
  }
  if (url.pathname === '/version' && req.method === 'GET') {
    const delay = versionDelay();
    if (delay) await new Promise((done) => setTimeout(done, delay));
    return send(res, 200, release);
  }
  if (url.pathname === '/metrics' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': EXPOSITION_CONTENT_TYPE });
    return res.end(exposition([requestsServed, queryLatency]));
  }
  if (url.pathname === '/orders' && req.method === 'GET') {
    const failure = overloaded();
    return failure ? send(res, 500, { error: failure }) : send(res, 200, { orders: orders.list() });
  }
  // The newest orders from the environment's database, with their notes: the smoke test that proves
  // this release can read the schema it runs on (a rollback puts it back on a migrated one).
  if (url.pathname === '/orders/recent' && req.method === 'GET') return send(res, 200, await recentOrders());
  if (url.pathname === '/orders' && req.method === 'POST')
    return send(res, 201, orders.add(await readBody(req)));
  const match = /^\/orders\/(\d+)$/.exec(url.pathname);
  if (match && req.method === 'GET') {
    const order = orders.get(Number(match[1]));
    return order ? send(res, 200, order) : send(res, 404, { error: `no order ${match[1]}` });
  }
  return send(res, 404, { error: `no route for ${req.method} ${url.pathname}` });
}

// The query is its own file so a release that changes the schema changes what it reads with it.
const recentOrdersSql = readFileSync(join(appRoot, 'src', 'recent-orders.sql'), 'utf8');

async function recentOrders() {
  if (!process.env.DATABASE_URL) throw new OrderError(503, 'DATABASE_URL is not set');
  try {
    const rows = await queryLatency.time({ query: 'recent_orders' }, () =>
      query(process.env.DATABASE_URL, recentOrdersSql),
    );
    return { orders: rows };
  } catch (error) {
    throw new OrderError(500, `orders could not be read: ${error.message}`);
  }
}

const server = createServer((req, res) => {
  res.once('finish', () => {
    const route = routeOf(new URL(req.url ?? '/', 'http://localhost').pathname);
    requestsServed.inc({ method: req.method, route, status: res.statusCode });
  });
  route(req, res).catch((error) => {
    const status = error instanceof OrderError ? error.status : 500;
    send(res, status, { error: error.message });
  });
});

server.listen(port, host, () => {
  console.log(`orders-service ${release.version} listening on ${host}:${server.address().port}`);
});

// Tollgate stops an old instance with SIGTERM after the swap: finish in-flight requests first.
process.once('SIGTERM', () => {
  console.log('orders-service: SIGTERM, draining');
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
