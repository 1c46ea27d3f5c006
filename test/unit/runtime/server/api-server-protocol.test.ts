import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, createApiServer } from '../../../../runtime/server/api-server.js';
import { type LocalCredentials, loadOrCreateCredentials } from '../../../../runtime/server/credentials.js';
import { BusService, LedgerService } from './support/ledger-service.js';
import { type RawResponse, rawRequest, signedHeaders } from './support/raw-request.js';

const START = 'AWSStepFunctions.StartExecution';
const VALID_BODY = '{"stateMachineArn":"arn:aws:states:us-east-1:1:stateMachine:m","name":"n"}';

function expectAwsError(response: RawResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.headers['x-amzn-errortype']).toBe(code);
  expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.headers['content-type']).toMatch(/^application\/x-amz-json-1\.[01]$/);
  expect(response.json().__type).toBe(code);
  expect(typeof response.json().message).toBe('string');
}

describe('createApiServer (AWS JSON protocol and SigV4 on the wire)', () => {
  let dataDir: string;
  let credentials: LocalCredentials;
  let ledger: LedgerService;
  let api: ApiServer;
  let extraCalls: string[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-proto-'));
    credentials = await loadOrCreateCredentials(dataDir);
    ledger = new LedgerService();
    extraCalls = [];
    api = await createApiServer({
      services: [ledger, new BusService()],
      credentials,
      port: 0,
      onInternalError: () => undefined,
      extraRoutes: async (req, res) => {
        extraCalls.push(`${req.method} ${req.url}`);
        if (req.url === '/console') {
          res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>console</h1>');
          return true;
        }
        if (req.url === '/api/boom') throw new Error('route failed');
        return false;
      },
    });
  });

  afterEach(async () => {
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function signed(
    body: string | Buffer,
    extra: { target?: string; service?: string; contentType?: string } = {},
  ) {
    const headers = await signedHeaders(api.endpoint, credentials, {
      target: extra.target ?? START,
      body,
      ...extra,
    });
    return rawRequest(api.endpoint, { headers, body });
  }

  it('dispatches when a hand-signed request is sent', async () => {
    // Act
    const response = await signed(VALID_BODY);
    // Assert
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json().executionArn).toBe('arn:aws:states:us-east-1:1:execution:m:n');
  });

  it('answers in JSON 1.1 when the request was JSON 1.1', async () => {
    // Act
    const response = await signed('{"Entries":[]}', {
      target: 'AWSEvents.PutEvents',
      service: 'events',
      contentType: 'application/x-amz-json-1.1',
    });
    // Assert
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-amz-json-1.1');
  });

  it('refuses with MissingAuthenticationTokenException 403 when the request is unsigned', async () => {
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': START },
      body: VALID_BODY,
    });
    // Assert
    expectAwsError(response, 403, 'MissingAuthenticationTokenException');
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException when the body was changed after signing', async () => {
    // Arrange
    const headers = await signedHeaders(api.endpoint, credentials, { target: START, body: VALID_BODY });
    // Act
    const response = await rawRequest(api.endpoint, { headers, body: VALID_BODY.replace('"n"', '"m"') });
    // Assert
    expectAwsError(response, 400, 'InvalidSignatureException');
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException when the target header was changed after signing', async () => {
    // Arrange
    const headers = await signedHeaders(api.endpoint, credentials, { target: START, body: '{}' });
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { ...headers, 'x-amz-target': 'AWSStepFunctions.DescribeExecution' },
      body: '{}',
    });
    // Assert
    expectAwsError(response, 400, 'InvalidSignatureException');
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException when the credential scope names another service', async () => {
    // Act
    const response = await signed(VALID_BODY, { service: 'events' });
    // Assert
    expectAwsError(response, 400, 'InvalidSignatureException');
    expect(response.json().message).toBe("Credential should be scoped to correct service: 'states'. ");
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException when x-amz-content-sha256 is not the body hash', async () => {
    // Arrange
    const headers = await signedHeaders(api.endpoint, credentials, { target: START, body: VALID_BODY });
    // Act: the header is added unsigned, as a client pretending the body hash is something else
    const response = await rawRequest(api.endpoint, {
      headers: { ...headers, 'x-amz-content-sha256': '0'.repeat(64) },
      body: VALID_BODY,
    });
    // Assert
    expectAwsError(response, 400, 'InvalidSignatureException');
    expect(response.json().message).toContain("'x-amz-content-sha256'");
  });

  it('refuses with IncompleteSignatureException when the Authorization header lacks a signature', async () => {
    // Arrange
    const headers = await signedHeaders(api.endpoint, credentials, { target: START, body: VALID_BODY });
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { ...headers, authorization: headers.authorization.replace(/, Signature=[0-9a-f]+/, '') },
      body: VALID_BODY,
    });
    // Assert
    expectAwsError(response, 400, 'IncompleteSignatureException');
    expect(response.json().message).toBe("Authorization header requires 'Signature' parameter.");
  });

  it('refuses with IncompleteSignatureException when the Authorization scheme is not SigV4', async () => {
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': START,
        authorization: 'Basic Zm9vOmJhcg==',
      },
      body: VALID_BODY,
    });
    // Assert
    expectAwsError(response, 400, 'IncompleteSignatureException');
  });

  it('refuses with IncompleteSignatureException when X-Amz-Date is missing', async () => {
    // Arrange
    const { 'x-amz-date': _dropped, ...headers } = await signedHeaders(api.endpoint, credentials, {
      target: START,
      body: VALID_BODY,
    });
    // Act
    const response = await rawRequest(api.endpoint, { headers, body: VALID_BODY });
    // Assert
    expectAwsError(response, 400, 'IncompleteSignatureException');
    expect(response.json().message).toContain("'X-Amz-Date'");
  });

  it('refuses with SerializationException when a signed body is not JSON', async () => {
    // Act
    const response = await signed('this is {not json');
    // Assert
    expectAwsError(response, 400, 'SerializationException');
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with SerializationException when a signed body is a JSON array', async () => {
    // Act
    const response = await signed('[1,2]');
    // Assert
    expectAwsError(response, 400, 'SerializationException');
    expect(response.json().message).toBe('Request body must be a JSON object');
  });

  it('refuses with SerializationException when a signed body is not UTF-8', async () => {
    // Act
    const response = await signed(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]));
    // Assert
    expectAwsError(response, 400, 'SerializationException');
    expect(response.json().message).toBe('Request body is not valid UTF-8');
  });

  it('dispatches an empty object when a signed body is empty', async () => {
    // Act
    const response = await signed('', { target: 'AWSStepFunctions.DescribeExecution' });
    // Assert
    expectAwsError(response, 400, 'ExecutionDoesNotExist');
    expect(ledger.calls).toEqual([{ operation: 'DescribeExecution', request: {} }]);
  });

  it('refuses with UnknownOperationException when the target prefix is not served', async () => {
    // Act
    const response = await signed('{}', { target: 'DynamoDB_20120810.ListTables' });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
    expect(response.json().message).toBe('Unknown operation DynamoDB_20120810.ListTables');
  });

  it('refuses with UnknownOperationException when the target has no operation', async () => {
    // Act
    const response = await signed('{}', { target: 'AWSStepFunctions' });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
  });

  it('refuses with UnknownOperationException when an AWS JSON request has no target', async () => {
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { 'content-type': 'application/x-amz-json-1.0' },
      body: '{}',
    });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
    expect(response.json().message).toBe('Missing X-Amz-Target header');
  });

  it('refuses with UnknownOperationException when the method is not POST', async () => {
    // Act
    const response = await rawRequest(api.endpoint, { method: 'GET', headers: { 'x-amz-target': START } });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
    expect(response.json().message).toBe('AWS JSON requests are POST /, got GET /');
    expect(extraCalls).toEqual([]);
  });

  it('refuses with UnknownOperationException when the path is not /', async () => {
    // Act
    const response = await rawRequest(api.endpoint, {
      path: '/other',
      headers: { 'x-amz-target': START },
      body: '{}',
    });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
  });

  it('refuses with UnknownOperationException when the content type is not AWS JSON', async () => {
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { 'x-amz-target': START, 'content-type': 'text/plain' },
      body: '{}',
    });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
    expect(response.json().message).toMatch(/^Content-Type must be application\/x-amz-json-1\.0/);
  });

  it('answers 413 without reading the body when Content-Length is over the limit', async () => {
    // Arrange
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': START },
      body,
    });
    const after = await signed(VALID_BODY);
    // Assert
    expectAwsError(response, 413, 'RequestEntityTooLargeException');
    expect(after.status).toBe(200);
  });

  it('answers 413 when a chunked body grows past the limit', async () => {
    // Arrange
    await api.close();
    api = await createApiServer({ services: [ledger], credentials, port: 0, maxBodyBytes: 1000 });
    // Act
    const response = await rawRequest(api.endpoint, {
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': START,
        'transfer-encoding': 'chunked',
      },
      body: `{"pad":"${'z'.repeat(5000)}"}`,
    });
    // Assert
    expectAwsError(response, 413, 'RequestEntityTooLargeException');
    expect(response.json().message).toBe('Request body must be at most 1000 bytes');
    expect(ledger.calls).toHaveLength(0);
  });

  it('answers 400 and keeps serving when the bytes are not HTTP at all', async () => {
    // Act
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1', () => socket.write('\x00\x01garbage\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk;
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    const after = await signed(VALID_BODY);
    // Assert
    expect(reply).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(after.status).toBe(200);
  });

  it('hands non-AWS requests to extraRoutes', async () => {
    // Act
    const response = await rawRequest(api.endpoint, { method: 'GET', path: '/console' });
    // Assert
    expect(response.status).toBe(200);
    expect(response.body).toBe('<h1>console</h1>');
    expect(extraCalls).toEqual(['GET /console']);
  });

  it('answers UnknownOperationException when extraRoutes declines', async () => {
    // Act
    const response = await rawRequest(api.endpoint, { method: 'GET', path: '/nowhere' });
    // Assert
    expectAwsError(response, 400, 'UnknownOperationException');
    expect(response.json().message).toBe('No route for GET /nowhere');
  });

  it('answers InternalFailure 500 when extraRoutes throws', async () => {
    // Act
    const response = await rawRequest(api.endpoint, { method: 'GET', path: '/api/boom' });
    // Assert
    expectAwsError(response, 500, 'InternalFailure');
    expect(response.body).not.toContain('route failed');
  });
});

describe('createApiServer options', () => {
  const credentials = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'a'.repeat(40) };

  it.each([
    [{ host: '0.0.0.0' }, 'host must be a loopback address (127.0.0.1, ::1 or localhost), got "0.0.0.0"'],
    [{ port: -1 }, 'port must be an integer from 0 to 65535, got -1'],
    [{ port: 1.5 }, 'port must be an integer from 0 to 65535, got 1.5'],
    [{ maxBodyBytes: 0 }, 'maxBodyBytes must be a positive integer, got 0'],
    [{ services: [] }, 'services must be a non-empty array of AwsJsonService'],
    [
      { services: [new LedgerService(), new LedgerService()] },
      'two services claim the target prefix AWSStepFunctions',
    ],
    [
      { services: [{ targetPrefix: 'Mystery', dispatch: async () => ({}) }] },
      'no SigV4 signing name for target prefix Mystery; pass it in signingNames',
    ],
  ])('throws ApiServerError when given %o', async (override, message) => {
    // Act
    const attempt = createApiServer({ services: [new LedgerService()], credentials, port: 0, ...override });
    // Assert
    await expect(attempt).rejects.toMatchObject({ name: 'ApiServerError', message });
  });
});
