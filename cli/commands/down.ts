import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { realSleep } from '../../functions/shared/adapters/local/app-process.js';
import { AppRecords } from '../../functions/shared/adapters/local/app-records.js';
import { readRuntimeInfo } from '../../runtime/up/runtime-info.js';
import { type CommonOptions, dataDirOf } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';

/**
 * Where the local adapters record the app processes they start (AppRecords, one file per pid):
 * the environments' releases and canaries, the backward-compatibility trials, the test stages.
 */
const APP_OWNERS = ['envs', 'trials', 'tests'] as const;
/** How long `tollgate up` gets to close its engine, databases and proxies after SIGTERM. */
const RUNTIME_STOP_MS = 30_000;
/** Each app gets this long after SIGTERM before SIGKILL (AppProcess.stop). */
const APP_GRACE_MS = 5_000;

/**
 * `tollgate down`: stops the `tollgate up` that owns the data directory (SIGTERM: it closes as on
 * Ctrl-C), then every app process the runtime started, which Ctrl-C leaves running on purpose.
 */
export async function downCommand(options: CommonOptions): Promise<void> {
  if (options.aws) throw new CliError('down stops the local runtime; --aws does not apply', ExitCode.Usage);
  const dataDir = dataDirOf(options);
  if (!existsSync(dataDir)) throw new CliError(`no data directory at ${dataDir}; nothing to stop`);
  const runtime = await stopRuntime(dataDir);
  const apps: number[] = [];
  for (const dir of appRecordDirs(dataDir))
    apps.push(...(await new AppRecords(dir).reap(undefined, APP_GRACE_MS, realSleep)));
  emit(options.json, { runtime, apps }, () => [
    runtime === null ? 'no tollgate up was running' : `stopped tollgate up (pid ${runtime})`,
    apps.length
      ? `stopped ${apps.length} app process(es): ${apps.join(', ')}`
      : 'no app processes were running',
  ]);
}

async function stopRuntime(dataDir: string): Promise<number | null> {
  const info = readRuntimeInfo(dataDir);
  // runtime.json outlives a runtime killed with -9; its pid may since be another program's.
  if (!info || !isTollgate(info.pid)) return null;
  process.kill(info.pid, 'SIGTERM');
  for (let waited = 0; waited < RUNTIME_STOP_MS; waited += 100) {
    if (!alive(info.pid)) return info.pid;
    await realSleep(100);
  }
  throw new CliError(
    `tollgate up (pid ${info.pid}) did not stop within ${RUNTIME_STOP_MS / 1000} s after SIGTERM`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A live process whose command line names tollgate (where /proc exists; elsewhere, any live pid). */
function isTollgate(pid: number): boolean {
  if (!alive(pid)) return false;
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes('tollgate');
  } catch {
    return false;
  }
}

function appRecordDirs(dataDir: string): string[] {
  return APP_OWNERS.flatMap((owner) => {
    const root = join(dataDir, owner);
    if (!existsSync(root)) return [];
    return readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => join(root, d.name, 'apps'))
      .filter((dir) => existsSync(dir));
  });
}
