import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  credentialsPath,
  LOCAL_REGION,
  loadOrCreateCredentials,
  localClientConfig,
  readCredentials,
} from '../../../../runtime/server/credentials.js';

describe('local credentials', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-creds-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('generates an AKIA key id and a 40-character secret in a 0600 file when none exist', async () => {
    // Act
    const credentials = await loadOrCreateCredentials(join(dataDir, 'nested'));
    const file = credentialsPath(join(dataDir, 'nested'));
    // Assert
    expect(credentials.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(credentials.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(credentials);
  });

  it('returns the same credentials when called again', async () => {
    // Arrange
    const first = await loadOrCreateCredentials(dataDir);
    // Act
    const second = await loadOrCreateCredentials(dataDir);
    // Assert
    expect(second).toEqual(first);
  });

  it('agrees on one pair when two starts race', async () => {
    // Act
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => loadOrCreateCredentials(dataDir)));
    // Assert
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('returns endpoint, region and the stored credentials from localClientConfig', async () => {
    // Arrange
    const credentials = await loadOrCreateCredentials(dataDir);
    // Act
    const config = localClientConfig(dataDir, 'http://127.0.0.1:4600');
    // Assert
    expect(config).toEqual({
      endpoint: 'http://127.0.0.1:4600',
      region: LOCAL_REGION,
      credentials,
      disableHostPrefix: true,
    });
  });

  it('throws CredentialsError naming the fix when no credentials were generated', () => {
    // Act
    const attempt = () => localClientConfig(dataDir, 'http://127.0.0.1:4600');
    // Assert
    expect(attempt).toThrow(
      `no local credentials at ${join(dataDir, 'credentials.json')}; start the engine once to generate them`,
    );
  });

  it('throws CredentialsError when the endpoint is not an http URL', async () => {
    // Arrange
    await loadOrCreateCredentials(dataDir);
    // Act
    const notUrl = () => localClientConfig(dataDir, '127.0.0.1:4600');
    const ftp = () => localClientConfig(dataDir, 'ftp://127.0.0.1:4600');
    // Assert
    expect(notUrl).toThrow(/^endpoint must be an http\(s\) URL/);
    expect(ftp).toThrow(/^endpoint must be an http\(s\) URL/);
  });

  it('throws CredentialsError when the file is readable by other users', async () => {
    // Arrange
    await loadOrCreateCredentials(dataDir);
    await chmod(credentialsPath(dataDir), 0o644);
    // Act
    const attempt = () => readCredentials(dataDir);
    // Assert
    expect(attempt).toThrow(
      `is readable by other users (mode 644); run: chmod 600 ${credentialsPath(dataDir)}`,
    );
  });

  it('throws CredentialsError when the file is not JSON', async () => {
    // Arrange
    await writeFile(credentialsPath(dataDir), 'nope', { mode: 0o600 });
    // Act
    const attempt = loadOrCreateCredentials(dataDir);
    // Assert
    await expect(attempt).rejects.toThrow('is not valid JSON; delete it to generate new credentials');
    expect(await readFile(credentialsPath(dataDir), 'utf8')).toBe('nope');
  });

  it('throws CredentialsError when the key id is malformed', async () => {
    // Arrange
    await writeFile(
      credentialsPath(dataDir),
      JSON.stringify({ accessKeyId: 'abc', secretAccessKey: 'a'.repeat(40) }),
      {
        mode: 0o600,
      },
    );
    // Act
    const attempt = () => readCredentials(dataDir);
    // Assert
    expect(attempt).toThrow(
      'accessKeyId must be AKIA plus 16 base32 characters; delete the file to regenerate',
    );
  });

  it('throws CredentialsError when the secret is malformed', async () => {
    // Arrange
    await writeFile(
      credentialsPath(dataDir),
      JSON.stringify({ accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'short' }),
      { mode: 0o600 },
    );
    // Act
    const attempt = () => readCredentials(dataDir);
    // Assert
    expect(attempt).toThrow('secretAccessKey must be 40 base64 characters; delete the file to regenerate');
  });

  it('throws CredentialsError when the data directory is empty', () => {
    // Act
    const attempt = () => readCredentials('');
    // Assert
    expect(attempt).toThrow('dataDir must be a non-empty path, got ""');
  });
});
