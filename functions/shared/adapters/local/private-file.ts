import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';

/** Why a private file could not be used; callers turn it into their own error with the fix. */
export const PrivateFileProblem = {
  Missing: 'missing',
  Unreadable: 'unreadable',
  TooOpen: 'too-open',
} as const;
export type PrivateFileProblem = (typeof PrivateFileProblem)[keyof typeof PrivateFileProblem];

export class PrivateFileError extends Error {
  constructor(
    readonly problem: PrivateFileProblem,
    readonly path: string,
    message: string,
    /** The file's permission bits, for `too-open`. */
    readonly mode?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PrivateFileError';
  }
}

/**
 * Writes `text` to `path` unless it already exists: created 0600 under a temporary name, synced and
 * linked into place, so two processes starting at once agree on one content and nobody ever reads
 * a half-written file. Missing parent directories are created 0700 (existing ones are left as they
 * are: the parent may be a directory the user chose). Returns whether this call created the file.
 * Synchronous: the files are a few bytes (locks, credentials), and lock holders that must stay
 * synchronous (the volume host) use the same mechanism as everyone else.
 */
export function createPrivateFileOnce(path: string, text: string): boolean {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** Reads a file that must be private: throws PrivateFileError when it is absent or group/world-accessible. */
export function readPrivateFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new PrivateFileError(
      missing ? PrivateFileProblem.Missing : PrivateFileProblem.Unreadable,
      path,
      missing ? `${path} does not exist` : `cannot read ${path}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new PrivateFileError(
      PrivateFileProblem.TooOpen,
      path,
      `${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      mode,
    );
  }
  return text;
}

/**
 * Creates `dir` (missing parents too, 0700) and makes `dir` itself 0700 even when it existed: only
 * for directories Tollgate owns (`.tollgate/secrets`, `.tollgate/volumes`), never one a user named.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32' && (statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

export function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
