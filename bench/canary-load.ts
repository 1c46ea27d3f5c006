import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

// The load generator runs in its own process: sharing the proxy's event loop would charge the
// generator's own work to the proxy. Every answer must be a 200 with the app's own body, so a
// proxy that answered fast but wrong would fail the round instead of winning it. It prints
// requests/s, every latency and its own CPU time as JSON.
const LOAD = `
const { Agent, request } = require('node:http');
const [port, total, concurrency, expected] = [...process.argv.slice(1, 4).map(Number), process.argv[4]];
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
let next = 0;
const one = () => new Promise((done, fail) => {
  const started = performance.now();
  const req = request({ host: '127.0.0.1', port, path: '/orders', agent }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => { body += chunk; });
    res.once('end', () => {
      if (res.statusCode !== 200 || body !== expected) fail(new Error('answered ' + res.statusCode + ': ' + body.slice(0, 200)));
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
  const cpu = process.cpuUsage();
  process.stdout.write(JSON.stringify({ rps: total / seconds, latencies, cpuMicros: cpu.user + cpu.system }));
  agent.destroy();
}, (error) => { console.error(error.message); process.exit(1); });
`;

export interface LoadRound {
  readonly rps: number;
  readonly latencies: number[];
  /** CPU time per request, µs: the load generator's own, and that of the processes `watched`. */
  readonly loadCpuPerRequest: number;
  readonly watchedCpuPerRequest: number;
  /** Share of the machine's CPU time left idle during the round (Linux; undefined elsewhere). */
  readonly idleShare: number | undefined;
}

/**
 * `total` GETs /orders from `concurrency` keep-alive clients in a child process, each answer
 * checked against `expected`. `watch` reads the CPU time of the processes under test: the proxy
 * (this process) or the app children.
 */
export async function load(
  port: number,
  total: number,
  concurrency: number,
  expected: string,
  watch: () => number,
): Promise<LoadRound> {
  const watched = watch();
  const idle = machineIdle();
  const child = spawn(
    process.execPath,
    ['-e', LOAD, String(port), String(total), String(concurrency), expected],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  const result = JSON.parse(out) as { rps: number; latencies: number[]; cpuMicros: number };
  const idleAfter = machineIdle();
  return {
    rps: result.rps,
    latencies: result.latencies,
    loadCpuPerRequest: result.cpuMicros / total,
    watchedCpuPerRequest: (watch() - watched) / total,
    idleShare: idle && idleAfter ? (idleAfter.idle - idle.idle) / (idleAfter.total - idle.total) : undefined,
  };
}

/** This process's CPU time so far, µs. */
export const ownCpu = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/** A child's CPU time so far, µs, from /proc (Linux); 0 where /proc is absent. */
export function childCpu(pid: number | undefined): number {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return 0;
  // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th, in ticks
  // of 10 ms (USER_HZ is 100 on every Linux Node supports).
  const line = readFileSync(stat, 'utf8');
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function machineIdle(): { idle: number; total: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1).map(Number);
  return { idle: cpu[3]! + (cpu[4] ?? 0), total: cpu.reduce((a, b) => a + b, 0) };
}
