import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './free-port.js';

/**
 * A real `moto_server` (python moto) on a free loopback port, so AWS adapters run their contract
 * suites against an AWS API implementation, beside the aws-sdk-client-mock fakes. Without
 * moto_server on PATH the suites skip, loudly; with REQUIRE_MOTO=1 (CI) they fail instead.
 */
export interface MotoServer {
  readonly endpoint: string;
  /** Client config for an AWS SDK v3 client talking to this server. */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  stop(): Promise<void>;
}

export function motoAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v moto_server'], { stdio: 'ignore' }).status === 0;
}

/**
 * Whether moto suites run here: true when moto_server is installed; false (with a warning) when
 * it is not; throws when it is not but REQUIRE_MOTO=1, so CI can never pass by skipping them.
 */
export function motoEnabled(suite: string): boolean {
  if (motoAvailable()) return true;
  if (process.env.REQUIRE_MOTO === '1') {
    throw new Error(`${suite}: moto_server is not on PATH but REQUIRE_MOTO=1 (pip install 'moto[server]')`);
  }
  console.warn(`SKIPPED ${suite}: moto_server is not installed (pip install 'moto[server]')`);
  return false;
}

/**
 * `env` adds moto's own switches, e.g. MOTO_ECS_SERVICE_RUNNING (how many tasks moto reports
 * running per service, which decides whether a new service's deployment is COMPLETED).
 */
export async function startMotoServer(options: { env?: Record<string, string> } = {}): Promise<MotoServer> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2_000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilServing(endpoint, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    clientConfig: {
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    },
    stop: () => stopChild(child),
  };
}

/** moto answers /moto-api/ once its HTTP server is up; poll it until then (or the child dies). */
async function waitUntilServing(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with ${child.exitCode}: ${stderr().trim().split('\n').pop()}`);
    const up = await fetch(`${endpoint}/moto-api/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30s: ${stderr().trim()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
