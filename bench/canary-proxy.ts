import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvProxy } from '../functions/shared/adapters/local/env-proxy.js';
import { systemClock } from '../functions/shared/clock.js';
import type { BenchRow } from './bench-row.js';
import { childCpu, type LoadRound, load, ownCpu } from './canary-load.js';

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(0.99 * xs.length) - 1]!;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Proxy overhead: the same keep-alive load generator against the example app (GET /orders)
 * directly and through the environment proxy splitting 10% to a second instance, alternating rounds in one run so
 * both see the same machine load. Throughput at 16 concurrent clients; added p99 latency at one
 * client (serial requests, so queueing does not hide the proxy's own cost). The proxy runs in this
 * process, so its CPU per request is this process's CPU time over a proxied round; with the apps'
 * and the load generator's, and the machine's idle share, it says whether the ratio is CPU-bound.
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
  const appsCpu = () => childCpu(baseline.child.pid) + childCpu(canary.child.pid);
  try {
    // What the app answers straight; every answer of every round, direct or proxied, must equal it.
    const expected = await (await fetch(`http://127.0.0.1:${baseline.port}/orders`)).text();
    const direct = (n: number, c: number) => load(baseline.port, n, c, expected, appsCpu);
    const proxied = (n: number, c: number) => load(proxy.port, n, c, expected, ownCpu);
    await direct(500, 16); // warm-up: JIT and sockets on both paths
    await proxied(500, 16);
    const directRounds: LoadRound[] = [];
    const proxiedRounds: LoadRound[] = [];
    const appsPerProxiedRequest: number[] = [];
    const directLatency: number[] = [];
    const proxiedLatency: number[] = [];
    for (let i = 0; i < rounds; i += 1) {
      directRounds.push(await direct(total, 16));
      const apps = appsCpu();
      proxiedRounds.push(await proxied(total, 16));
      appsPerProxiedRequest.push((appsCpu() - apps) / total);
      directLatency.push(p99((await direct(serial, 1)).latencies));
      proxiedLatency.push(p99((await proxied(serial, 1)).latencies));
    }
    const directRps = median(directRounds.map((r) => r.rps));
    const proxiedRps = median(proxiedRounds.map((r) => r.rps));
    const ratio = proxiedRps / directRps;
    const addedP99 = median(proxiedLatency) - median(directLatency);
    const proxyCpu = median(proxiedRounds.map((r) => r.watchedCpuPerRequest));
    const appCpu = median(appsPerProxiedRequest);
    const loadCpu = median(proxiedRounds.map((r) => r.loadCpuPerRequest));
    const idle = proxiedRounds.map((r) => r.idleShare).filter((x): x is number => x !== undefined);
    return [
      {
        name: 'requests/s through the weighted proxy (10% canary), 16 clients',
        value: Math.round(proxiedRps),
        unit: 'req/s',
        peer: `straight to the app: ${Math.round(directRps)} req/s; per round ${proxiedRounds.map((r, n) => (r.rps / directRounds[n]!.rps).toFixed(2)).join(' ')}`,
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
      {
        name: 'proxy CPU per request, 16 clients (ratio: ÷ app + load generator; 0.8 needs ≤ 0.25 when CPU-bound)',
        value: Math.round(proxyCpu),
        unit: 'µs',
        peer: `app ${Math.round(appCpu)} µs, load generator ${Math.round(loadCpu)} µs; machine idle ${idle.length ? `${(100 * mean(idle)).toFixed(0)} %` : 'unknown'} during proxied rounds`,
        ratio: proxyCpu / (appCpu + loadCpu),
      },
    ];
  } finally {
    await proxy.close();
    baseline.child.kill();
    canary.child.kill();
  }
}
