import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  createPrivateFileOnce,
  fileExists,
  PrivateFileError,
  PrivateFileProblem,
  readPrivateFile,
} from '../../functions/shared/adapters/local/private-file.js';
import { CredentialsError } from './errors.js';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

const CREDENTIALS_FILE = 'credentials.json';
/** The local engine answers for one region; clients sign with it and ARNs carry it. */
export const LOCAL_REGION = 'us-east-1';

const ACCESS_KEY_ID = /^AKIA[A-Z2-7]{16}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9+/]{40}$/;
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * Returns the data directory's credentials, generating them on first start. `createPrivateFileOnce`
 * writes them 0600 and links them into place, so two engines starting at once agree on one pair.
 */
export async function loadOrCreateCredentials(dataDir: string): Promise<LocalCredentials> {
  const path = credentialsPath(dataDir);
  if (!fileExists(path)) {
    createPrivateFileOnce(path, `${JSON.stringify(generateCredentials(), null, 2)}\n`);
  }
  return readCredentials(dataDir);
}

/** Reads existing credentials; throws CredentialsError with the fix when they are absent or unusable. */
export function readCredentials(dataDir: string): LocalCredentials {
  const path = credentialsPath(dataDir);
  let text: string;
  try {
    text = readPrivateFile(path);
  } catch (error) {
    if (!(error instanceof PrivateFileError)) throw error;
    if (error.problem === PrivateFileProblem.Missing) {
      throw new CredentialsError(`no local credentials at ${path}; start the engine once to generate them`);
    }
    throw new CredentialsError(error.message, { cause: error });
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
): { endpoint: string; region: string; credentials: LocalCredentials; disableHostPrefix: true } {
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
  // TestState's model puts `sync-` in front of the host (sync-states.<region>.amazonaws.com);
  // against a loopback address that name does not resolve, so the prefix stays off.
  return { endpoint, region: LOCAL_REGION, credentials: readCredentials(dataDir), disableHostPrefix: true };
}

export function credentialsPath(dataDir: string): string {
  if (typeof dataDir !== 'string' || dataDir.length === 0) {
    throw new CredentialsError(`dataDir must be a non-empty path, got ${JSON.stringify(dataDir)}`);
  }
  return join(dataDir, CREDENTIALS_FILE);
}

function generateCredentials(): LocalCredentials {
  const bytes = randomBytes(16);
  let id = 'AKIA';
  for (const byte of bytes) id += BASE32[byte & 31];
  // 30 random bytes are exactly 40 base64 characters, with no padding.
  return { accessKeyId: id, secretAccessKey: randomBytes(30).toString('base64') };
}
