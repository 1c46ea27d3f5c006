import { mkdtemp, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListStateMachinesCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { type ApiServer, createApiServer } from '../../../../runtime/server/api-server.js';
import {
  type LocalCredentials,
  loadOrCreateCredentials,
  localClientConfig,
} from '../../../../runtime/server/credentials.js';
import { BusService, LedgerService } from './support/ledger-service.js';
import { rawRequest } from './support/raw-request.js';

const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:pipeline';

describe('createApiServer with the real AWS SDK clients', () => {
  let dataDir: string;
  let credentials: LocalCredentials;
  let ledger: LedgerService;
  let bus: BusService;
  let api: ApiServer;
  let internalErrors: unknown[];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tollgate-api-'));
    credentials = await loadOrCreateCredentials(dataDir);
    ledger = new LedgerService();
    bus = new BusService();
    internalErrors = [];
    api = await createApiServer({
      services: [ledger, bus],
      credentials,
      port: 0,
      onInternalError: (error) => internalErrors.push(error),
    });
  });

  afterEach(async () => {
    await api.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const sfn = (overrides: Partial<ConstructorParameters<typeof SFNClient>[0]> = {}) =>
    new SFNClient({ ...localClientConfig(dataDir, api.endpoint), maxAttempts: 1, ...overrides });

  it('returns the service result when the SDK signs with the generated credentials', async () => {
    // Arrange
    const client = sfn();
    // Act
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'run-1', input: '{"a":1}' }),
    );
    const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    // Assert
    expect(started.executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:pipeline:run-1');
    expect(started.startDate).toEqual(new Date(1767225600500));
    expect(described).toMatchObject({ input: '{"a":1}', status: 'RUNNING' });
    expect(ledger.calls.map((c) => c.operation)).toEqual(['StartExecution', 'DescribeExecution']);
    expect(ledger.calls[0].request).toEqual({ stateMachineArn: MACHINE, name: 'run-1', input: '{"a":1}' });
  });

  it('routes AWSEvents targets to the bus when EventBridge sends JSON 1.1', async () => {
    // Arrange
    const client = new EventBridgeClient({ ...localClientConfig(dataDir, api.endpoint), maxAttempts: 1 });
    // Act
    const result = await client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'tollgate.git', DetailType: 'Commit Pushed', Detail: '{}' }],
      }),
    );
    // Assert
    expect(result).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: 'event-0' }] });
    expect(bus.calls).toHaveLength(1);
    expect(ledger.calls).toHaveLength(0);
  });

  it('raises the modelled exception class when the service throws AwsApiError', async () => {
    // Arrange
    const client = sfn();
    await client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'dup' }));
    // Act
    const duplicate = client.send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'dup' }));
    const missing = client.send(new DescribeExecutionCommand({ executionArn: `${MACHINE}:nope` }));
    // Assert
    const dupError = await duplicate.catch((e) => e);
    expect(dupError).toBeInstanceOf(ExecutionAlreadyExists);
    expect(dupError.name).toBe('ExecutionAlreadyExists');
    expect(dupError.message).toBe(
      "Execution Already Exists: 'arn:aws:states:us-east-1:123456789012:execution:pipeline:dup'",
    );
    expect(dupError.$metadata.httpStatusCode).toBe(400);
    expect(dupError.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await missing.catch((e) => e)).toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('answers InternalFailure with 500 and keeps serving when the service throws a plain error', async () => {
    // Arrange
    const client = sfn();
    // Act
    const failure = await client.send(new ListStateMachinesCommand({})).catch((e) => e);
    const after = await client.send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'still-up' }),
    );
    // Assert
    expect(failure).toBeInstanceOf(SFNServiceException);
    expect(failure.name).toBe('InternalFailure');
    expect(failure.$metadata.httpStatusCode).toBe(500);
    expect(failure.message).not.toContain('ledger exploded');
    expect(internalErrors).toHaveLength(1);
    expect(after.executionArn).toContain('still-up');
  });

  it('refuses with UnrecognizedClientException and dispatches nothing when the key is unknown', async () => {
    // Arrange
    const client = sfn({
      credentials: { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: credentials.secretAccessKey },
    });
    // Act
    const error = await client
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'x' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('UnrecognizedClientException');
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException and dispatches nothing when the secret is wrong', async () => {
    // Arrange
    const client = sfn({
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: 'x'.repeat(40) },
    });
    // Act
    const error = await client
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'x' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/^The request signature we calculated does not match/);
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException and dispatches nothing when the request is signed for another region', async () => {
    // Arrange
    const client = sfn({ region: 'eu-west-1' });
    // Act
    const error = await client
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'x' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toBe("Credential should be scoped to a valid region, not 'eu-west-1'. ");
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with UnrecognizedClientException when the request carries a session token', async () => {
    // Arrange
    const client = sfn({ credentials: { ...credentials, sessionToken: 'borrowed' } });
    // Act
    const error = await client
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'x' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('UnrecognizedClientException');
    expect(ledger.calls).toHaveLength(0);
  });

  it('answers RequestEntityTooLargeException with 413 when the SDK sends a body over the limit', async () => {
    // Arrange
    const client = sfn();
    // Act
    const error = await client
      .send(
        new StartExecutionCommand({
          stateMachineArn: MACHINE,
          name: 'big',
          input: JSON.stringify({ x: 'y'.repeat(1_100_000) }),
        }),
      )
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('RequestEntityTooLargeException');
    expect(error.$metadata.httpStatusCode).toBe(413);
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses with InvalidSignatureException when the signature is older than 15 minutes by the server clock', async () => {
    // Arrange
    await api.close();
    const clock = new ManualClock(new Date(Date.now() + 20 * 60 * 1000));
    api = await createApiServer({ services: [ledger], credentials, port: 0, clock });
    // Act
    const error = await sfn()
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'late' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/,
    );
    expect(ledger.calls).toHaveLength(0);
  });

  it('accepts a signature 14 minutes old by the server clock', async () => {
    // Arrange
    await api.close();
    const clock = new ManualClock(new Date(Date.now() + 14 * 60 * 1000));
    api = await createApiServer({ services: [ledger], credentials, port: 0, clock });
    // Act
    const result = await sfn().send(
      new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'in-window' }),
    );
    // Assert
    expect(result.executionArn).toContain('in-window');
  });

  it('refuses a signature dated more than 15 minutes ahead of the server clock', async () => {
    // Arrange
    await api.close();
    const clock = new ManualClock(new Date(Date.now() - 16 * 60 * 1000));
    api = await createApiServer({ services: [ledger], credentials, port: 0, clock });
    // Act
    const error = await sfn()
      .send(new StartExecutionCommand({ stateMachineArn: MACHINE, name: 'early' }))
      .catch((e) => e);
    // Assert
    expect(error.name).toBe('InvalidSignatureException');
    expect(error.message).toMatch(/^Signature not yet current: /);
  });

  it('listens on 127.0.0.1 only', async () => {
    // Arrange
    const outside = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    // Act
    const address = api.server.address();
    const fromOutside = outside
      ? await rawRequest(`http://${outside}:${api.port}`, { method: 'GET' }).then(
          () => 'connected',
          (e: NodeJS.ErrnoException) => e.code,
        )
      : 'ECONNREFUSED';
    // Assert
    expect(address).toMatchObject({ address: '127.0.0.1', family: 'IPv4' });
    expect(api.endpoint).toBe(`http://127.0.0.1:${api.port}`);
    expect(fromOutside).toBe('ECONNREFUSED');
  });
});
