import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signGitHubBody } from '../../../../functions/webhook/signature.js';
import { pushPayload } from './fixtures.js';

const SECRET = 'handler-secret';

function urlEvent(
  body: string,
  headers: Record<string, string>,
  isBase64Encoded: boolean,
): LambdaFunctionURLEvent {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded,
    requestContext: { http: { method: 'POST', path: '/' } },
  } as unknown as LambdaFunctionURLEvent;
}

describe('webhook handler', () => {
  const events = mockClient(EventBridgeClient);
  const secrets = mockClient(SecretsManagerClient);

  beforeAll(() => {
    process.env.TOLLGATE_WEBHOOK_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hook';
    process.env.TOLLGATE_EVENT_BUS_NAME = 'default';
  });

  afterEach(() => {
    events.reset();
    secrets.reset();
  });

  it('returns 202 when the function URL delivers a base64 body with mixed-case headers', async () => {
    // Arrange
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-9' }] });
    const raw = JSON.stringify(pushPayload());
    const { handler } = await import('../../../../functions/webhook/handler.js');
    const event = urlEvent(
      Buffer.from(raw).toString('base64'),
      {
        'X-GitHub-Event': 'push',
        'X-Hub-Signature-256': signGitHubBody(SECRET, raw),
        'Content-Type': 'application/json',
      },
      true,
    );

    // Act
    const response = await handler(event, {} as never);

    // Assert
    expect(response).toMatchObject({ statusCode: 202, headers: { 'content-type': 'application/json' } });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(1);
  });

  it('returns 500 without internals when EventBridge is unreachable', async () => {
    // Arrange
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    events.on(PutEventsCommand).rejects(new Error('connect ETIMEDOUT 10.0.0.1:443'));
    const raw = JSON.stringify(pushPayload());
    const { handler } = await import('../../../../functions/webhook/handler.js');
    const event = urlEvent(
      raw,
      { 'x-github-event': 'push', 'x-hub-signature-256': signGitHubBody(SECRET, raw) },
      false,
    );

    // Act
    const response = await handler(event, {} as never);

    // Assert
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('ETIMEDOUT');
  });
});
