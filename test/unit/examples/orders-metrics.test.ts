import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The example's own writer: a release is dependency-free, so it writes the text format itself.
// @ts-expect-error plain .mjs of the example app, no type declarations
import { Counter, exposition, Histogram } from '../../../examples/orders-service/src/metrics.mjs';
// @ts-expect-error plain .mjs of the example app, no type declarations
import { query } from '../../../examples/orders-service/src/pg-wire.mjs';
import { VolumeHost } from '../../../functions/shared/adapters/local/pglite-volumes.js';
import { parseExposition } from '../../../functions/shared/prometheus/exposition.js';
import { prometheusValue } from '../../../functions/shared/prometheus/sample-value.js';
import { freePort } from '../../support/free-port.js';

describe('orders-service metrics writer', () => {
  it('writes counters and labelled histograms that the maintained parser reads back exactly', () => {
    // Arrange
    const counter = new Counter('orders_http_requests_total', 'Requests.\nSecond line', ['route', 'status']);
    const histogram = new Histogram('orders_db_query_duration_seconds', 'Latency.', ['query'], [0.01, 0.1]);
    counter.inc({ route: '/orders', status: 200 }, 3);
    counter.inc({ route: 'C:\\x "quoted"', status: 500 });
    for (const seconds of [0.005, 0.05, 0.5]) histogram.observe({ query: 'recent_orders' }, seconds);
    histogram.observe({ query: 'get_order' }, 0.001);
    // Act
    const samples = parseExposition(exposition([counter, histogram]));
    // Assert
    expect(samples).toContainEqual({
      type: 'counter',
      name: 'orders_http_requests_total',
      labels: { route: 'C:\\x "quoted"', status: '500' },
      value: 1,
    });
    expect(samples).toContainEqual({
      type: 'histogram',
      name: 'orders_db_query_duration_seconds',
      labels: { query: 'recent_orders' },
      buckets: [
        { le: 0.01, count: 1 },
        { le: 0.1, count: 2 },
        { le: Number.POSITIVE_INFINITY, count: 3 },
      ],
      count: 3,
      sum: 0.555,
    });
    expect(prometheusValue(samples, 'orders_db_query_duration_seconds')?.count).toBe(4);
  });

  it('throws when a declared label is missing', () => {
    // Arrange
    const counter = new Counter('orders_http_requests_total', 'Requests.', ['route']);
    // Act
    const attempt = () => counter.inc({});
    // Assert
    expect(attempt).toThrow('orders_http_requests_total needs the label "route"');
  });
});

describe('orders-service GET /metrics', () => {
  let app: ChildProcess;
  let url = '';
  let dir = '';
  let host: VolumeHost;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'orders-metrics-'));
    host = new VolumeHost({ dataDir: join(dir, '.tollgate') });
    const databaseUrl = await host.open('test', await freePort());
    await query(
      databaseUrl,
      'CREATE TABLE orders (id int, customer_id int, total_cents int, status text, note text)',
    );
    const port = await freePort();
    app = spawn(process.execPath, [join('examples/orders-service/src/server.mjs')], {
      env: { PATH: process.env.PATH, PORT: String(port), DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((done) => app.stdout?.once('data', () => done()));
    url = `http://127.0.0.1:${port}`;
    // PGlite's WASM start takes most of this; on a loaded shared machine it has passed a minute.
  }, 180_000);
  afterAll(async () => {
    app.kill('SIGKILL');
    await host.closeAll();
    await rm(dir, { recursive: true, force: true });
  });

  it('observes each database query in the latency histogram', async () => {
    // Arrange
    for (let i = 0; i < 3; i += 1) expect((await fetch(`${url}/orders/recent`)).status).toBe(200);
    // Act
    const samples = parseExposition(await (await fetch(`${url}/metrics`)).text());
    // Assert
    const reading = prometheusValue(samples, 'orders_db_query_duration_seconds{query="recent_orders"}');
    expect(reading?.count).toBe(3);
    expect(reading?.value).toBeGreaterThan(0);
  });

  it('counts answered requests by method, route template and status', async () => {
    // Arrange
    for (const path of ['/orders/1', '/orders/2', '/orders', '/nowhere'])
      await (await fetch(`${url}${path}`)).text();
    // Act
    const res = await fetch(`${url}/metrics`);
    const samples = parseExposition(await res.text());
    // Assert
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const count = (selector: string) =>
      prometheusValue(samples, `orders_http_requests_total${selector}`)?.value;
    expect(count('{route="/orders/:id",status="404"}')).toBe(2);
    expect(count('{route="/orders",status="200"}')).toBe(1);
    expect(count('{route="other",method="GET"}')).toBe(1);
  });
});
