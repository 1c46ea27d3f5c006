import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<dataDir>/runtime.json`: where the running `tollgate up` listens. The CLI reads it so that
 * `tollgate approve` finds the runtime that owns the data directory without being told its port.
 * It is advisory: a runtime killed with -9 leaves it behind, and the CLI then reports that nothing
 * answers at that endpoint.
 */
const RUNTIME_INFO_FILE = 'runtime.json';
export const RUNTIME_LOCK_FILE = 'runtime.lock';

export interface RuntimeInfo {
  readonly pid: number;
  readonly endpoint: string;
  readonly port: number;
  readonly startedAt: string;
  readonly projectDir: string;
  readonly pipeline: string;
}

export async function writeRuntimeInfo(dataDir: string, info: RuntimeInfo): Promise<void> {
  const path = join(dataDir, RUNTIME_INFO_FILE);
  const temp = `${path}.${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(info, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/** The recorded runtime, or undefined when none was recorded or the file is unreadable. */
export function readRuntimeInfo(dataDir: string): RuntimeInfo | undefined {
  const path = join(dataDir, RUNTIME_INFO_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as RuntimeInfo;
    return typeof parsed?.endpoint === 'string' && typeof parsed.pid === 'number' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function removeRuntimeInfo(dataDir: string, pid: number): Promise<void> {
  // Only our own record: a newer runtime may already have replaced it.
  if (readRuntimeInfo(dataDir)?.pid === pid) await rm(join(dataDir, RUNTIME_INFO_FILE), { force: true });
}
