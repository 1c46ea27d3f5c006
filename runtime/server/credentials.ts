import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CredentialsError } from './errors.js';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const CREDENTIALS_FILE = 'credentials.json';
/** The local engine answers for one region; clients sign with it and ARNs carry it. */
export const LOCAL_REGION = 'us-east-1';

const ACCESS_KEY_ID = /^AKIA[A-Z2-7]{16}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9+/]{40}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Returns the data directory's credentials, generating them on first start. They are created with
 * mode 0600 under a temporary name and linked into place, so two engines starting at once agree on
 * one pair and nobody ever reads a half-written file.
 */
export async function loadOrCreateCredentials(dataDir: string): Promise<LocalCredentials> {
  const path = credentialsPath(dataDir);
  if (exists(path)) return readCredentials(dataDir);
  await mkdir(dataDir, { recursive: true });
  const fresh = generateCredentials();
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(fresh, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return readCredentials(dataDir);
}

/** Reads existing credentials; throws CredentialsError with the fix when they are absent or unusable. */
export function readCredentials(dataDir: string): LocalCredentials {
  const path = credentialsPath(dataDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CredentialsError(`no local credentials at ${path}; start the engine once to generate them`);
    }
    throw new CredentialsError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new CredentialsError(
      `${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CredentialsError(`${path} is not valid JSON; delete it to generate new credentials`);
  }
  const { accessKeyId, secretAccessKey } = (parsed ?? {}) as Record<string, unknown>;
  if (typeof accessKeyId !== 'string' || !ACCESS_KEY_ID.test(accessKeyId)) {
    throw new CredentialsError(
      `${path}: accessKeyId must be AKIA plus 16 base32 characters; delete the file to regenerate`,
    );
  }
  if (typeof secretAccessKey !== 'string' || !SECRET_ACCESS_KEY.test(secretAccessKey)) {
    throw new CredentialsError(
      `${path}: secretAccessKey must be 40 base64 characters; delete the file to regenerate`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * Client settings for the local engine, e.g. `new SFNClient(localClientConfig('.tollgate', url))`.
 * Reads the credentials the engine generated; it never creates them, so a client pointed at the
 * wrong directory fails loudly instead of signing with keys no server knows.
 */
export function localClientConfig(
  dataDir: string,
  endpoint: string,
): { endpoint: string; region: string; credentials: LocalCredentials } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CredentialsError(
      `endpoint must be an http(s) URL such as http://127.0.0.1:4600, got ${JSON.stringify(endpoint)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CredentialsError(
      `endpoint must be an http(s) URL such as http://127.0.0.1:4600, got ${JSON.stringify(endpoint)}`,
    );
  }
  return { endpoint, region: LOCAL_REGION, credentials: readCredentials(dataDir) };
}

export function credentialsPath(dataDir: string): string {
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new CredentialsError(`dataDir must be a non-empty path, got ${JSON.stringify(dataDir)}`);
  }
  return join(dataDir, CREDENTIALS_FILE);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function generateCredentials(): LocalCredentials {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const byte of bytes) id += BASE32[byte & 31];
  // 30 random bytes are exactly 40 base64 characters, with no padding.
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64') };
}
