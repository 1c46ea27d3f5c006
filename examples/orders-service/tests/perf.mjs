// A tiny performance check for a test stage (tollgate.config.ts, staging): GET /version a number
// of times, one after the other, and write the latencies' p50 and p95 in milliseconds to
// reports/perf.json, where the stage's threshold reads them.
import { mkdirSync, writeFileSync } from 'node:fs';

const base = process.env.TOLLGATE_URL;
if (!base) throw new Error('TOLLGATE_URL is not set: run this check as a Tollgate test stage');
const REQUESTS = Number(process.env.PERF_REQUESTS ?? 30);

const latencies = [];
for (let i = 0; i < REQUESTS; i += 1) {
  const started = performance.now();
  const response = await fetch(`${base}/version`, { signal: AbortSignal.timeout(5_000) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET /version answered ${response.status}`);
  latencies.push(performance.now() - started);
}
latencies.sort((a, b) => a - b);
const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]);
const summary = { requests: REQUESTS, p50: at(0.5), p95: at(0.95), max: Math.round(latencies.at(-1)) };
mkdirSync('reports', { recursive: true });
writeFileSync('reports/perf.json', `${JSON.stringify(summary, null, 2)}\n`);
console.log(`GET /version x${REQUESTS}: p50 ${summary.p50} ms, p95 ${summary.p95} ms`);
