import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  databasePasswordPath,
  loadOrCreateDatabasePassword,
  localDatabaseUrl,
  readDatabasePassword,
} from '../../../../../../functions/shared/adapters/local/database-password.js';
import { tempDir } from '../../../../../support/pglite-server.js';

describe('database passwords', () => {
  let dir: ReturnType<typeof tempDir>;
  const mode = (p: string) => fs.statSync(p).mode & 0o777;

  beforeEach(() => {
    dir = tempDir('tollgate-dbpass-');
  });
  afterEach(() => dir.remove());

  it('generates a 43-character password in a 0600 file in a 0700 secrets directory', async () => {
    // Act
    const password = await loadOrCreateDatabasePassword(dir.path, 'prod');
    // Assert
    const file = databasePasswordPath(dir.path, 'prod');
    expect(password).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mode(file)).toBe(0o600);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(readDatabasePassword(dir.path, 'prod')).toBe(password);
  });

  it('returns the same password again and a different one per volume', async () => {
    // Arrange
    const first = await loadOrCreateDatabasePassword(dir.path, 'prod');
    // Act
    const again = await loadOrCreateDatabasePassword(dir.path, 'prod');
    const other = await loadOrCreateDatabasePassword(dir.path, 'staging');
    // Assert
    expect(again).toBe(first);
    expect(other).not.toBe(first);
  });

  it('agrees on one password when two first uses race', async () => {
    // Act
    const [a, b] = await Promise.all([
      loadOrCreateDatabasePassword(dir.path, 'prod'),
      loadOrCreateDatabasePassword(dir.path, 'prod'),
    ]);
    // Assert
    expect(a).toBe(b);
  });

  it('makes an existing secrets directory private again', async () => {
    // Arrange
    fs.mkdirSync(path.join(dir.path, 'secrets'), { mode: 0o755 });
    fs.chmodSync(path.join(dir.path, 'secrets'), 0o755);
    // Act
    await loadOrCreateDatabasePassword(dir.path, 'prod');
    // Assert
    expect(mode(path.join(dir.path, 'secrets'))).toBe(0o700);
  });

  it('throws NotFound naming the fix when the volume was never served', () => {
    // Act / Assert
    expect(() => readDatabasePassword(dir.path, 'prod')).toThrow(
      /^no database password for "prod" at .*postgres-prod\.json; start the runtime once \(npx tollgate up\) to generate it$/,
    );
  });

  it('refuses a password file other users can read', async () => {
    // Arrange
    await loadOrCreateDatabasePassword(dir.path, 'prod');
    fs.chmodSync(databasePasswordPath(dir.path, 'prod'), 0o644);
    // Act / Assert
    expect(() => readDatabasePassword(dir.path, 'prod')).toThrow(
      /is readable by other users \(mode 644\); run: chmod 600/,
    );
  });

  it('refuses a password file without a well-formed password', async () => {
    // Arrange
    await loadOrCreateDatabasePassword(dir.path, 'prod');
    fs.writeFileSync(databasePasswordPath(dir.path, 'prod'), '{"password":"short"}');
    // Act / Assert
    expect(() => readDatabasePassword(dir.path, 'prod')).toThrow(
      /does not hold a 43-character password; delete it/,
    );
  });

  it('refuses a volume name that could leave the secrets directory', () => {
    // Act / Assert
    expect(() => databasePasswordPath(dir.path, '../prod')).toThrow(
      /"\.\.\/prod" is not a valid volume name/,
    );
  });

  it('builds a URL whose user and password round-trip', () => {
    // Act
    const url = new URL(localDatabaseUrl('127.0.0.1', 5433, 'abc_DEF-123'));
    // Assert
    expect([url.username, url.password, url.host, url.pathname]).toEqual([
      'postgres',
      'abc_DEF-123',
      '127.0.0.1:5433',
      '/postgres',
    ]);
  });
});
