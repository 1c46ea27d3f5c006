import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { NotFoundError, TollgateError } from '../../errors.js';
import { VOLUME_NAME } from '../../snapshots/validate-request.js';
import {
  createPrivateFileOnce,
  ensurePrivateDir,
  fileExists,
  PrivateFileError,
  PrivateFileProblem,
  readPrivateFile,
} from './private-file.js';

/** The one role PGlite has; the wire front end admits no other user name. */
export const DATABASE_USER = 'postgres';
export const DATABASE_NAME = 'postgres';

/** 32 random bytes as base64url: 43 characters that need no escaping in a URL. */
const PASSWORD = /^[A-Za-z0-9_-]{43}$/;

/**
 * Where a served volume's password lives: `<dataDir>/secrets/postgres-<volume>.json`, mode 0600 in a
 * 0700 directory. Outside the volume on purpose: a refresh replaces the volume's files with the
 * source's, and the environment's password must not travel with them.
 */
export function databasePasswordPath(dataDir: string, volume: string): string {
  if (typeof volume !== 'string' || !VOLUME_NAME.test(volume)) {
    throw new TollgateError(`"${String(volume)}" is not a valid volume name (${VOLUME_NAME.source})`);
  }
  return join(resolve(dataDir), 'secrets', `postgres-${volume}.json`);
}

/** The volume's password, generated on first use; concurrent first uses agree on one. */
/** A fresh password of the kind every local database gets (see PASSWORD). */
export function newDatabasePassword(): string {
  return randomBytes(32).toString('base64url');
}

export async function loadOrCreateDatabasePassword(dataDir: string, volume: string): Promise<string> {
  const path = databasePasswordPath(dataDir, volume);
  ensurePrivateDir(join(resolve(dataDir), 'secrets'));
  if (!fileExists(path)) {
    const password = newDatabasePassword();
    createPrivateFileOnce(path, `${JSON.stringify({ user: DATABASE_USER, password }, null, 2)}\n`);
  }
  return readDatabasePassword(dataDir, volume);
}

/** Reads an existing password; NotFoundError when the volume was never served from this data directory. */
export function readDatabasePassword(dataDir: string, volume: string): string {
  const path = databasePasswordPath(dataDir, volume);
  let text: string;
  try {
    text = readPrivateFile(path);
  } catch (error) {
    if (error instanceof PrivateFileError && error.problem === PrivateFileProblem.Missing) {
      throw new NotFoundError(
        `no database password for "${volume}" at ${path}; start the runtime once (npx tollgate up) to generate it`,
      );
    }
    throw new TollgateError((error as Error).message, { cause: error });
  }
  let password: unknown;
  try {
    password = (JSON.parse(text) as { password?: unknown }).password;
  } catch {
    password = undefined;
  }
  if (typeof password !== 'string' || !PASSWORD.test(password)) {
    throw new TollgateError(
      `${path} does not hold a 43-character password; delete it and restart the runtime to generate a new one`,
    );
  }
  return password;
}

/** `postgres://postgres:<password>@<host>:<port>/postgres` for a local volume. */
export function localDatabaseUrl(host: string, port: number, password: string): string {
  const url = new URL(`postgres://${host}:${port}/${DATABASE_NAME}`);
  url.username = DATABASE_USER;
  url.password = password;
  return url.toString();
}

/**
 * The same for a database behind a Unix socket in `socketDir` (`.s.PGSQL.5432`, the name libpq and
 * node-postgres look for): the directory, percent-encoded, stands where the host would.
 */
export function localSocketDatabaseUrl(socketDir: string, password: string): string {
  return `postgres://${DATABASE_USER}:${password}@${encodeURIComponent(socketDir)}/${DATABASE_NAME}`;
}
