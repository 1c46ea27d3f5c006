import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PGlite } from '@electric-sql/pglite';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PgWireServer } from '../../../../../functions/shared/adapters/local/pg-wire-server.js';
import { parseConfig } from '../../../../../functions/shared/config/load-config.js';
import { environmentConnectionString } from '../../../../../functions/shared/database/environment-connection.js';
import { withClient } from '../../../../../functions/shared/database/pg-client.js';
import { pgTls } from '../../../../../functions/shared/database/pg-tls.js';
import type { SnapshotProvider } from '../../../../../functions/shared/ports/snapshot-provider.js';
import { validConfig } from '../../../../support/config-fixtures.js';
import { type PgTlsProxy, startPgTlsProxy } from '../../../../support/pg-tls-proxy.js';
import { createTestCa, type TestCa } from '../../../../support/test-ca.js';

const PASSWORD = 'tls-test-password-0123456789abcdef0123';

/**
 * The client side of Postgres TLS for real: pg over a TLS-terminating proxy (SSLRequest, then a
 * handshake with a certificate from a private CA made by openssl) in front of the local wire server.
 */
describe('Postgres TLS (sslmode)', () => {
  let db: PGlite;
  let server: PgWireServer;
  let proxy: PgTlsProxy;
  let ca: TestCa;
  let otherCa: TestCa;
  const url = (host: string, query: string) =>
    `postgres://postgres:${PASSWORD}@${host}:${proxy.port}/postgres?${query}`;
  const whoAmI = (connectionString: string, defaultCaFile?: string) =>
    withClient(
      connectionString,
      async (c) => (await c.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok,
      defaultCaFile ? { defaultCaFile } : {},
    );

  beforeAll(async () => {
    ca = createTestCa(['localhost']);
    otherCa = createTestCa(['localhost'], 'Some Other CA');
    db = await PGlite.create();
    server = new PgWireServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16, password: PASSWORD });
    const backendPort = await server.start();
    proxy = await startPgTlsProxy({ backendPort, key: ca.serverKeyPem, cert: ca.serverCertPem });
  });

  afterAll(async () => {
    await proxy.close();
    await server.stop();
    await db.close();
    ca.remove();
    otherCa.remove();
  });

  it('connects over TLS with verify-full when the CA and the host name match', async () => {
    // Arrange
    const before = proxy.sessions.length;
    // Act
    const ok = await whoAmI(url('localhost', `sslmode=verify-full&sslrootcert=${ca.caFile}`));
    // Assert
    expect(ok).toBe(1);
    expect(proxy.sessions.slice(before)).toEqual([{ tls: true }]);
  });

  it('refuses verify-full when the certificate comes from a CA it does not trust', async () => {
    // Act
    const attempt = whoAmI(url('localhost', `sslmode=verify-full&sslrootcert=${otherCa.caFile}`));
    // Assert
    await expect(attempt).rejects.toThrow(
      /^cannot connect to .*certificate.* \(trusted: sslrootcert .*ca\.pem\)$/,
    );
  });

  it('refuses verify-full when the host is not a name in the certificate', async () => {
    // Act
    const attempt = whoAmI(url('127.0.0.1', `sslmode=verify-full&sslrootcert=${ca.caFile}`));
    // Assert
    await expect(attempt).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
  });

  it('accepts a certificate for another name under verify-ca, which checks only the chain', async () => {
    // Act
    const ok = await whoAmI(url('127.0.0.1', `sslmode=verify-ca&sslrootcert=${ca.caFile}`));
    // Assert
    expect(ok).toBe(1);
  });

  it('encrypts without verifying under require, and sends clear text under disable', async () => {
    // Arrange
    const before = proxy.sessions.length;
    // Act
    await whoAmI(url('localhost', 'sslmode=require'));
    await whoAmI(url('localhost', 'sslmode=disable'));
    // Assert
    expect(proxy.sessions.slice(before)).toEqual([{ tls: true }, { tls: false }]);
  });

  it('trusts the default CA file (the Lambda runtime bundle on AWS) when the URL names no sslrootcert', async () => {
    // Act
    const withBundle = await whoAmI(url('localhost', 'sslmode=verify-full'), ca.caFile);
    const withoutBundle = whoAmI(url('localhost', 'sslmode=verify-full'), `${ca.dir}/missing.pem`);
    // Assert
    expect(withBundle).toBe(1);
    await expect(withoutBundle).rejects.toThrow(
      /certificate.* \(trusted: Node's roots and .*missing\.pem \(missing: set sslrootcert\)\)$/,
    );
  });

  it('refuses an sslmode that can fall back to clear text in one line, before connecting', async () => {
    // Arrange
    const before = proxy.sessions.length;
    // Act
    const attempt = whoAmI(url('localhost', 'sslmode=prefer'));
    // Assert
    await expect(attempt).rejects.toThrow(
      /^connection string: sslmode "prefer" is not supported; use one of disable, require, verify-ca, verify-full \(allow and prefer can silently fall back to plaintext\)$/,
    );
    expect(proxy.sessions.length).toBe(before);
  });

  it('defaults to verify-full for a remote host and to disable for loopback', () => {
    // Act + Assert
    expect(pgTls('postgres://u:p@orders.cluster-abc.eu-west-1.rds.amazonaws.com/db').mode).toBe(
      'verify-full',
    );
    expect(pgTls('postgres://u:p@127.0.0.1:5432/db').mode).toBe('disable');
    expect(pgTls('postgres://u:p@[::1]:5432/db').mode).toBe('disable');
  });

  it('sends clear text over a Unix socket, where the local runtime serves a staged clone', () => {
    // The staging area's URL: the socket directory, percent-encoded as the host
    expect(pgTls('postgres://postgres@%2Ftmp%2Ftollgate-stage-x/postgres').mode).toBe('disable');
    expect(pgTls('postgres://postgres@%2Ftmp%2Fx/postgres?sslmode=require').mode).toBe('require');
  });
});

describe('environmentConnectionString (sslmode from the secret)', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());
  const ports = {
    config: parseConfig(validConfig({ database: { engine: 'postgres', source: 'prod' } }), 'test'),
    snapshots: {
      connection: async () => ({ kind: 'secret' as const, secretArn: 'arn:aws:secretsmanager:::secret:db' }),
    } as unknown as SnapshotProvider,
  };
  const secret = (extra: Record<string, unknown>) =>
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ host: 'db.internal', username: 'app', password: 'pw', ...extra }),
    });

  it('asks for verify-full when the secret names no sslmode', async () => {
    // Arrange
    secret({});
    // Act
    const value = new URL(await environmentConnectionString(ports, 'test'));
    // Assert
    expect(value.searchParams.get('sslmode')).toBe('verify-full');
  });

  it("carries the secret's sslmode and sslrootcert", async () => {
    // Arrange
    secret({ sslmode: 'verify-ca', sslrootcert: '/opt/ca/internal.pem' });
    // Act
    const value = new URL(await environmentConnectionString(ports, 'test'));
    // Assert
    expect(value.searchParams.get('sslmode')).toBe('verify-ca');
    expect(value.searchParams.get('sslrootcert')).toBe('/opt/ca/internal.pem');
  });

  it('rejects an unknown sslmode in the secret in one line naming the environment', async () => {
    // Arrange
    secret({ sslmode: 'verify_full' });
    // Act
    const attempt = environmentConnectionString(ports, 'test');
    // Assert
    await expect(attempt).rejects.toThrow(
      /^connection secret for "test": sslmode "verify_full" is not supported; use one of disable, require, verify-ca, verify-full/,
    );
  });
});
