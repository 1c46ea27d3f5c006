import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { assertRunsLocally, loadConfig, type TollgateConfig } from '../../functions/shared/config/index.js';
import { RUNTIME_LOCK_FILE, readRuntimeInfo } from '../../runtime/up/runtime-info.js';
import { type CommonOptions, DEFAULT_STACK, dataDirOf, endpointOf, setting } from '../client/cli-context.js';
import { ExitCode, oneLine } from '../client/cli-error.js';
import { emit, table } from '../client/output.js';
import { awsChecks } from './doctor/aws-checks.js';
import type { DoctorCheck } from './doctor/doctor-check.js';
import { nodeCheck } from './doctor/node-check.js';
import { reflinkCheck } from './doctor/reflink-check.js';

export type { DoctorCheck };

export interface DoctorOptions extends CommonOptions {
  readonly repo?: string;
}

/**
 * `tollgate doctor`: every local check runs, whatever the others found; the AWS ones leave out
 * what an earlier failure makes meaningless (no stack, no state machine). Exit 4 when one failed.
 */
export async function doctorCommand(options: DoctorOptions): Promise<void> {
  const dataDir = dataDirOf(options);
  const checks: DoctorCheck[] = [
    nodeCheck(),
    lockCheck(dataDir),
    await portCheck(endpointOf(options, dataDir), dataDir),
    reflinkCheck(dataDir),
  ];
  const { check: config, loaded } = await loadConfigCheck(resolve(options.repo ?? process.cwd()), {
    local: !options.aws,
  });
  checks.push(config);
  if (options.aws)
    checks.push(...(await awsChecks(options.stack ?? setting('TOLLGATE_STACK') ?? DEFAULT_STACK, loaded)));
  const healthy = checks.every((c) => c.status !== 'fail');
  emit(options.json, { healthy, checks }, () => [
    ...table(
      checks.map((c) => [c.status === 'ok' ? '✓' : c.status === 'warn' ? '!' : '✗', c.name, c.detail]),
    ),
  ]);
  if (!healthy) process.exitCode = ExitCode.Unhealthy;
}

function lockCheck(dataDir: string): DoctorCheck {
  const file = join(dataDir, RUNTIME_LOCK_FILE);
  if (!existsSync(file)) return { name: 'data-dir-lock', status: 'ok', detail: `${dataDir} is free` };
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isSafeInteger(pid) && pid > 0 && alive(pid)) {
    return {
      name: 'data-dir-lock',
      status: 'ok',
      detail: `${dataDir} is held by a running tollgate up (pid ${pid})`,
    };
  }
  return {
    name: 'data-dir-lock',
    status: 'warn',
    detail: `stale lock ${file} from a stopped process; the next start takes it over`,
  };
}

async function portCheck(endpoint: string, dataDir: string): Promise<DoctorCheck> {
  const url = new URL(endpoint);
  const port = Number(url.port || 80);
  const free = await new Promise<boolean>((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
  if (free) return { name: 'port', status: 'ok', detail: `port ${port} is free` };
  const info = readRuntimeInfo(dataDir);
  if (info && info.port === port && alive(info.pid)) {
    return {
      name: 'port',
      status: 'ok',
      detail: `port ${port} is served by this data directory's runtime (pid ${info.pid})`,
    };
  }
  return {
    name: 'port',
    status: 'fail',
    detail: `port ${port} is in use by another process; start with --port N or set TOLLGATE_ENDPOINT`,
  };
}

/**
 * The same loadConfig (and so the same schema) the runtime and the stack use: they cannot disagree.
 * Without `--aws` the config is also checked for what only AWS runs, as `tollgate up` checks it.
 */
export async function configCheck(dir: string, options: { local?: boolean } = {}): Promise<DoctorCheck> {
  return (await loadConfigCheck(dir, options)).check;
}

/** The config check, and the config when it loaded (the AWS checks read its canaries). */
async function loadConfigCheck(
  dir: string,
  options: { local?: boolean },
): Promise<{ check: DoctorCheck; loaded?: TollgateConfig }> {
  try {
    const config = await loadConfig(dir);
    if (options.local) assertRunsLocally(config);
    return {
      check: {
        name: 'config',
        status: 'ok',
        detail: `${config.name}: ${config.environments.map((e) => e.name).join(' → ')}`,
      },
      loaded: config,
    };
  } catch (error) {
    return { check: { name: 'config', status: 'fail', detail: oneLine(error) } };
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
