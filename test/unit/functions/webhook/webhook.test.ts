import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachedSecret } from '../../../../functions/shared/adapters/aws/cached-secret.js';
import { WebhookAttestedSource } from '../../../../functions/shared/adapters/aws/webhook-attested-source.js';
import { ManualClock } from '../../../../functions/shared/clock.js';
import { EventNotDeliveredError } from '../../../../functions/webhook/errors.js';
import { EventBridgeCommitPublisher } from '../../../../functions/webhook/event-publisher.js';
import { signGitHubBody } from '../../../../functions/webhook/signature.js';
import {
  handleWebhook,
  type WebhookDeps,
  type WebhookRequest,
} from '../../../../functions/webhook/webhook.js';
import { AFTER, pushPayload } from './fixtures.js';

const SECRET = 'whsec-test-0123456789';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:tollgate-webhook-AbCdEf';

function delivery(body: string | Buffer, headers: Record<string, string | undefined> = {}): WebhookRequest {
  const bytes = Buffer.from(body);
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-hub-signature-256': signGitHubBody(SECRET, bytes),
      ...headers,
    },
    body: bytes,
  };
}

describe('handleWebhook', () => {
  const events = mockClient(EventBridgeClient);
  const secrets = mockClient(SecretsManagerClient);
  let clock: ManualClock;
  let deps: WebhookDeps;

  beforeEach(() => {
    clock = new ManualClock('2026-03-02T00:00:00.000Z');
    secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: SECRET });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
    deps = {
      secret: new CachedSecret(new SecretsManagerClient({}), SECRET_ARN, clock),
      publisher: new EventBridgeCommitPublisher(new EventBridgeClient({}), 'default'),
      clock,
    };
  });

  afterEach(() => {
    events.reset();
    secrets.reset();
  });

  it('returns 202 and puts one tollgate.git Commit Pushed event when a signed push arrives', async () => {
    // Arrange
    const request = delivery(JSON.stringify(pushPayload()));

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body)).toMatchObject({ eventId: 'evt-1', commit: AFTER, branch: 'main' });
    const calls = events.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const [entry] = calls[0].args[0].input.Entries!;
    expect(entry).toMatchObject({
      EventBusName: 'default',
      Source: 'tollgate.git',
      DetailType: 'Commit Pushed',
    });
    const detail = JSON.parse(entry.Detail!);
    expect(detail).toMatchObject({ repository: 'orders-service', branch: 'main', commit: AFTER });
    // ... attested, so plan-run believes it came from GitHub through this webhook
    const source = new WebhookAttestedSource({ get: async () => SECRET });
    expect(await source.vouchFor(detail)).toEqual({ known: true });
  });

  it('returns 202 when GitHub sends the form-encoded content type', async () => {
    // Arrange
    const form = new URLSearchParams({ payload: JSON.stringify(pushPayload()) }).toString();
    const request = delivery(form, { 'content-type': 'application/x-www-form-urlencoded' });

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response.statusCode).toBe(202);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('returns 401 and puts nothing when the signature header is missing', async () => {
    // Arrange
    const request = delivery(JSON.stringify(pushPayload()), { 'x-hub-signature-256': undefined });

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body).message).toBe('missing X-Hub-Signature-256 header');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 401 and puts nothing when the body was signed with another secret', async () => {
    // Arrange
    const body = JSON.stringify(pushPayload());
    const request = delivery(body, { 'x-hub-signature-256': signGitHubBody('guessed-secret', body) });

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response.statusCode).toBe(401);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 401 and puts nothing when the body was changed after signing', async () => {
    // Arrange
    const signed = delivery(JSON.stringify(pushPayload()));
    const tampered = {
      ...signed,
      body: Buffer.from(JSON.stringify(pushPayload({ ref: 'refs/heads/prod' }))),
    };

    // Act
    const response = await handleWebhook(tampered, deps);

    // Assert
    expect(response.statusCode).toBe(401);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 401 and puts nothing when an unsigned body is malformed JSON', async () => {
    // Arrange
    const request = delivery('{not json', { 'x-hub-signature-256': 'sha256=00' });

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response.statusCode).toBe(401);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 204 and puts nothing when GitHub sends a ping', async () => {
    // Arrange
    const request = delivery(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }), {
      'x-github-event': 'ping',
    });

    // Act
    const response = await handleWebhook(request, deps);

    // Assert
    expect(response).toEqual({ statusCode: 204, body: '', note: 'pong' });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 204 and puts nothing when the event is not a push', async () => {
    const response = await handleWebhook(delivery('{}', { 'x-github-event': 'issues' }), deps);
    expect(response.statusCode).toBe(204);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 204 and puts nothing when the push deleted the branch', async () => {
    // Arrange
    const body = JSON.stringify(pushPayload({ deleted: true, after: '0'.repeat(40), head_commit: null }));

    // Act
    const response = await handleWebhook(delivery(body), deps);

    // Assert
    expect(response.statusCode).toBe(204);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 204 and puts nothing when the push is a tag', async () => {
    const response = await handleWebhook(
      delivery(JSON.stringify(pushPayload({ ref: 'refs/tags/v1' }))),
      deps,
    );
    expect(response.statusCode).toBe(204);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 400 and puts nothing when a signed body is malformed JSON', async () => {
    // Act
    const response = await handleWebhook(delivery('{"ref": "refs/heads/main",'), deps);

    // Assert
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/not valid JSON/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 400 and puts nothing when a form body has no payload field', async () => {
    const request = delivery('other=1', { 'content-type': 'application/x-www-form-urlencoded' });
    const response = await handleWebhook(request, deps);
    expect(response.statusCode).toBe(400);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 400 naming the field and puts nothing when the push has no commit id', async () => {
    // Act
    const response = await handleWebhook(delivery(JSON.stringify(pushPayload({ after: undefined }))), deps);

    // Assert
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toMatch(/^not a GitHub push payload: after:/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('returns 405 and reads no secret when the method is GET', async () => {
    // Act
    const response = await handleWebhook({ ...delivery('{}'), method: 'GET' }, deps);

    // Assert
    expect(response.statusCode).toBe(405);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('throws EventNotDeliveredError when EventBridge rejects the entry', async () => {
    // Arrange
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });

    // Act
    const result = handleWebhook(delivery(JSON.stringify(pushPayload())), deps);

    // Assert
    await expect(result).rejects.toBeInstanceOf(EventNotDeliveredError);
    await expect(result).rejects.toThrow('EventBridge rejected the commit event: InternalFailure try again');
  });

  it('reads the secret once per TTL when deliveries arrive in a burst', async () => {
    // Arrange
    const body = JSON.stringify(pushPayload());

    // Act
    await handleWebhook(delivery(body), deps);
    clock.advance(4 * 60_000);
    await handleWebhook(delivery(body), deps);
    const beforeExpiry = secrets.commandCalls(GetSecretValueCommand).length;
    clock.advance(60_000);
    await handleWebhook(delivery(body), deps);

    // Assert
    expect(beforeExpiry).toBe(1);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('throws and puts nothing when the secret has no string value', async () => {
    // Arrange
    secrets.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1]) });

    // Act / Assert
    await expect(handleWebhook(delivery('{}'), deps)).rejects.toThrow(/has no string value/);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

describe('CachedSecret', () => {
  it('throws when the secret id is empty', () => {
    expect(() => new CachedSecret(new SecretsManagerClient({}), '', new ManualClock())).toThrow(
      /secret id is empty/,
    );
  });

  it('throws when the TTL is negative', () => {
    expect(() => new CachedSecret(new SecretsManagerClient({}), 'x', new ManualClock(), -1)).toThrow(
      'secret cache TTL must be >= 0 ms, got -1',
    );
  });
});

describe('EventBridgeCommitPublisher', () => {
  it('throws when the bus name is empty', () => {
    expect(() => new EventBridgeCommitPublisher(new EventBridgeClient({}), '')).toThrow(
      /TOLLGATE_EVENT_BUS_NAME/,
    );
  });
});
