import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { CachedSecret } from '../shared/adapters/aws/cached-secret.js';
import { systemClock } from '../shared/clock.js';
import { toError } from '../shared/errors.js';
import { createLogger } from '../shared/logger.js';
import { EventBridgeCommitPublisher } from './event-publisher.js';
import { handleWebhook, type WebhookDeps } from './webhook.js';

const logger = createLogger('webhook');

/** The structured function URL response (the union type in aws-lambda also allows a bare string). */
export interface FunctionUrlResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

let deps: WebhookDeps | undefined;

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the TollgatePipeline construct sets it`);
  return value;
}

function wire(): WebhookDeps {
  deps ??= {
    secret: new CachedSecret(
      new SecretsManagerClient({}),
      requireEnv('TOLLGATE_WEBHOOK_SECRET_ARN'),
      systemClock,
    ),
    publisher: new EventBridgeCommitPublisher(
      new EventBridgeClient({}),
      requireEnv('TOLLGATE_EVENT_BUS_NAME'),
    ),
    clock: systemClock,
  };
  return deps;
}

/** Function URL adapter: the raw body bytes go to the signature check untouched. */
export async function webhookHandler(event: LambdaFunctionURLEvent): Promise<FunctionUrlResponse> {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const delivery = headers['x-github-delivery'];
  try {
    const response = await handleWebhook({ method: event.requestContext.http.method, headers, body }, wire());
    logger.info('webhook delivery handled', {
      delivery,
      event: headers['x-github-event'],
      status: response.statusCode,
    });
    return {
      statusCode: response.statusCode,
      headers: { 'content-type': 'application/json' },
      body: response.body,
    };
  } catch (thrown) {
    const error = toError(thrown);
    logger.error('webhook delivery failed', { delivery, errorName: error.name, errorMessage: error.message });
    // GitHub shows the status on the delivery, so a 500 is visible and can be redelivered.
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        message: 'event not delivered; redeliver it from GitHub once the cause is fixed',
      }),
    };
  }
}

export const handler = middy(webhookHandler).before(async (request) => {
  logger.addContext(request.context as Context);
});
