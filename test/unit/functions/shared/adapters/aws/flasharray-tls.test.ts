import { createServer, type Server } from 'node:https';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FlashArrayClient,
  flashArraySecret,
} from '../../../../../../functions/shared/adapters/aws/flasharray-client.js';
import { createTestCa, type TestCa } from '../../../../../support/test-ca.js';

const TOKEN = 'b1f0c3a2-7d4e-4f6a-8b9c-0e1d2c3b4a59';
const SECRET_ID = 'tollgate/flasharray';

/**
 * The array's REST API over HTTPS with a certificate from a private CA (made by openssl), as arrays
 * usually have: the client trusts it only with that CA from its secret.
 */
describe('FlashArrayClient over HTTPS', () => {
  const secrets = mockClient(SecretsManagerClient);
  let ca: TestCa;
  let otherCa: TestCa;
  let server: Server;
  let endpoint = '';
  const requests: string[] = [];

  const clientWith = (secretString: string) => {
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: secretString });
    const secret = flashArraySecret(new SecretsManagerClient({ region: 'us-east-1' }), SECRET_ID);
    return new FlashArrayClient({ endpoint, apiToken: secret.apiToken, caBundle: secret.caBundle });
  };

  beforeAll(async () => {
    ca = createTestCa(['localhost']);
    otherCa = createTestCa(['localhost'], 'Some Other CA');
    server = createServer({ key: ca.serverKeyPem, cert: ca.serverCertPem }, (req, res) => {
      requests.push(`${req.method} ${req.url}`);
      if (req.url === '/api/2.17/login' && req.headers['api-token'] === TOKEN) {
        res.writeHead(200, { 'x-auth-token': 'session-1', 'content-type': 'application/json' }).end('{}');
      } else if (req.url?.startsWith('/api/2.17/volumes') && req.headers['x-auth-token'] === 'session-1') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"items":[{"name":"prod-db"}]}');
      } else {
        res.writeHead(401).end('{"errors":[{"message":"not authenticated"}]}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('no port');
    endpoint = `https://localhost:${address.port}`;
  });

  afterEach(() => secrets.reset());

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    ca.remove();
    otherCa.remove();
  });

  it('lists volumes when the secret carries the CA that issued the array certificate', async () => {
    // Arrange
    const client = clientWith(JSON.stringify({ apiToken: TOKEN, caBundle: ca.caPem }));
    // Act
    const volumes = await client.list<{ name: string }>('/volumes');
    // Assert
    expect(volumes).toEqual([{ name: 'prod-db' }]);
  });

  it('refuses the array when its secret carries no CA (Node trusts only public roots)', async () => {
    // Arrange
    const client = clientWith(TOKEN);
    const before = requests.length;
    // Act
    const attempt = client.list('/volumes');
    // Assert
    await expect(attempt).rejects.toThrow(/self-signed certificate|unable to (get|verify)/);
    expect(requests.length).toBe(before);
  });

  it('refuses the array when the CA in the secret did not issue its certificate', async () => {
    // Arrange
    const client = clientWith(JSON.stringify({ apiToken: TOKEN, caBundle: otherCa.caPem }));
    // Act
    const attempt = client.list('/volumes');
    // Assert
    await expect(attempt).rejects.toThrow(/self-signed certificate|unable to (get|verify)/);
  });

  it('rejects a caBundle that is not PEM in one line naming the secret', async () => {
    // Arrange
    const client = clientWith(JSON.stringify({ apiToken: TOKEN, caBundle: 'MIIB...' }));
    // Act
    const attempt = client.list('/volumes');
    // Assert
    await expect(attempt).rejects.toThrow(
      /^secret "tollgate\/flasharray": CA bundle has no "-----BEGIN CERTIFICATE-----" block; give PEM certificates$/,
    );
  });

  it('rejects a PEM block that is not a certificate in one line', async () => {
    // Arrange
    const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const client = clientWith(JSON.stringify({ apiToken: TOKEN, caBundle: garbage }));
    // Act
    const attempt = client.list('/volumes');
    // Assert
    await expect(attempt).rejects.toThrow(
      /^secret "tollgate\/flasharray": CA bundle is not valid PEM: [^\n]+$/,
    );
  });

  it('refuses an http:// endpoint in one line: the API token would cross the network in clear', () => {
    // Act
    const build = () =>
      new FlashArrayClient({ endpoint: 'http://array.internal', apiToken: async () => TOKEN });
    // Assert
    expect(build).toThrow(
      /^flasharray endpoint "http:\/\/array.internal" must be https:\/\/ \(the API token would cross the network in clear\)$/,
    );
  });
});
