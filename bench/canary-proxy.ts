import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvProxy } from '../functions/shared/adapters/local/env-proxy.js';
import { systemClock } from '../functions/shared/clock.js';
import type { BenchRow } from './bench-row.js';

const EXAMPLE_SERVER = join(
  dirname(fileURLToPath(import.meta.url)),
  '../examples/orders-service/src/server.mjs',
);

/** The example app in its own process, as a deployed release runs; PORT=0 lets it pick a port. */
async function startApp(): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [EXAMPLE_SERVER], {
    env: { PATH: process.env.PATH, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((done, fail) => {
    child.stdout?.once('data', (chunk: Buffer) => {
      const port = /listening on [^:]+:(\d+)/.exec(chunk.toString())?.[1];
      if (port) done(Number(port));
      else fail(new Error(`the example app said "${chunk.toString().trim()}", not where it listens`));
    });
    child.once('exit', (code) => fail(new Error(`the example app exited with ${code}`)));
  });
  return { port, child };
}

// The load generator runs in its own process: sharing the proxy's event loop would charge the
// generator's own work to the proxy. It prints requests/s and every latency as JSON.
const LOAD = `
const { Agent, request } = require('node:http');
const [port, total, concurrency] = process.argv.slice(1).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
let next = 0;
const one = () => new Promise((done, fail) => {
  const started = performance.now();
  const req = request({ host: '127.0.0.1', port, path: '/orders', agent }, (res) => {
    res.resume();
    res.once('end', () => {
      if (res.statusCode !== 200) fail(new Error('answered ' + res.statusCode));
      latencies.push(performance.now() - started);
      done();
    });
  });
  req.once('error', fail);
  req.end();
});
const worker = async () => { while (next < total) { next += 1; await one(); } };
const started = performance.now();
Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(JSON.stringify({ rps: total / seconds, latencies }));
  agent.destroy();
}, (error) => { console.error(error.message); process.exit(1); });
`;

/** `total` GETs from `concurrency` keep-alive clients in a child process. */
async function load(port: number, total: number, concurrency: number) {
  const child = spawn(process.execPath, ['-e', LOAD, String(port), String(total), String(concurrency)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out) as { rps: number; latencies: number[] };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.99 * xs.length) - 1]!;

/**
 * Proxy overhead: the same keep-alive load generator against the example app (GET /orders)
 * directly and through the environment proxy splitting 10% to a second instance, alternating rounds in one run so
 * both see the same machine load. Throughput at 16 concurrent clients; added p99 latency at one
 * client (serial requests, so queueing does not hide the proxy's own cost).
 */
export async function benchCanaryProxy({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const baseline = await startApp();
  const canary = await startApp();
  const proxy = new EnvProxy({ environment: 'bench', port: 0, clock: systemClock });
  await proxy.listen();
  proxy.route({
    baseline: { port: baseline.port, version: 'r1' },
    canary: { port: canary.port, version: 'r2' },
    canaryPercent: 10,
    sticky: false,
  });
  const rounds = quick ? 3 : 7;
  const total = quick ? 2_000 : 5_000;
  const serial = quick ? 500 : 2_000;
  try {
    await load(baseline.port, 500, 16); // warm-up: JIT and sockets on both paths
    await load(proxy.port, 500, 16);
    const direct: number[] = [];
    const proxied: number[] = [];
    const directLatency: number[] = [];
    const proxiedLatency: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      direct.push((await load(baseline.port, total, 16)).rps);
      proxied.push((await load(proxy.port, total, 16)).rps);
      directLatency.push(p99((await load(baseline.port, serial, 1)).latencies));
      proxiedLatency.push(p99((await load(proxy.port, serial, 1)).latencies));
    }
    const ratio = median(proxied) / median(direct);
    const addedP99 = median(proxiedLatency) - median(directLatency);
    return [
      {
        name: 'requests/s through the weighted proxy (10% canary), 16 clients',
        value: Math.round(median(proxied)),
        unit: 'req/s',
        peer: `straight to the app: ${Math.round(median(direct))} req/s`,
        ratio,
        target: '≥ 0.8',
        met: ratio >= 0.8,
      },
      {
        name: 'p99 latency the proxy adds, 1 client',
        value: addedP99,
        unit: 'ms',
        peer: `straight to the app: p99 ${median(directLatency).toFixed(2)} ms`,
      },
    ];
  } finally {
    await proxy.close();
    baseline.child.kill();
    canary.child.kill();
  }
}
