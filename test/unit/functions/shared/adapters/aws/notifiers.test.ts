import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CachedSecret } from '../../../../../../functions/shared/adapters/aws/cached-secret.js';
import { SnsNotifier } from '../../../../../../functions/shared/adapters/aws/sns-notifier.js';
import { WebhookNotifier } from '../../../../../../functions/shared/adapters/aws/webhook-notifier.js';
import type { Notification } from '../../../../../../functions/shared/ports/notifier.js';

const notice: Notification = {
  subject: 'orders: approve r7-1a2b3c4 into prod — now',
  body: 'r7 waits for approval into prod.',
  data: {
    kind: 'approval-requested',
    pipeline: 'orders',
    environment: 'prod',
    approvalId: 'apr-1',
    count: 3,
  },
};
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:tollgate-approvals';

describe('SnsNotifier', () => {
  const sns = mockClient(SNSClient);
  afterEach(() => {
    sns.reset();
  });

  it('publishes an ASCII subject, the body and string message attributes for filter policies', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    // Act
    await new SnsNotifier({ client: new SNSClient({}), topicArn: TOPIC }).notify(notice);
    // Assert
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: 'orders: approve r7-1a2b3c4 into prod ? now',
      Message: 'r7 waits for approval into prod.',
      MessageAttributes: {
        kind: { DataType: 'String', StringValue: 'approval-requested' },
        pipeline: { DataType: 'String', StringValue: 'orders' },
        environment: { DataType: 'String', StringValue: 'prod' },
        approvalId: { DataType: 'String', StringValue: 'apr-1' },
      },
    });
  });

  it('refuses a notice without a subject and publishes nothing', async () => {
    const notifier = new SnsNotifier({ client: new SNSClient({}), topicArn: TOPIC });
    await expect(notifier.notify({ ...notice, subject: ' ' })).rejects.toThrow(
      'notification needs a subject',
    );
    expect(sns.calls()).toHaveLength(0);
  });

  it('refuses a topic that is not an SNS ARN', () => {
    expect(() => new SnsNotifier({ client: new SNSClient({}), topicArn: 'approvals' })).toThrow(
      /is not an SNS topic ARN/,
    );
  });
});

describe('WebhookNotifier', () => {
  const secrets = mockClient(SecretsManagerClient);
  const clock = { now: () => new Date(now) };
  let now = Date.parse('2026-12-03T00:00:00Z');
  const webhookNotifier = () =>
    new WebhookNotifier({
      url: new CachedSecret(new SecretsManagerClient({}), 'tollgate/webhook', clock),
      secretId: 'tollgate/webhook',
    });
  afterEach(() => {
    secrets.reset();
  });

  async function receiver(status: number) {
    const received: Array<{ method?: string; type?: string; body: string }> = [];
    const server = createServer(async (req: IncomingMessage, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received.push({ method: req.method, type: req.headers['content-type'], body });
      res.writeHead(status).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T000/B000/secret`;
    return { received, url, close: () => new Promise((r) => server.close(r)) };
  }

  it('POSTs the Slack {text} shape to the URL held in the secret', async () => {
    // Arrange
    const hook = await receiver(200);
    secrets.on(GetSecretValueCommand, { SecretId: 'tollgate/webhook' }).resolves({ SecretString: hook.url });
    // Act
    await webhookNotifier().notify(notice);
    await hook.close();
    // Assert
    expect(hook.received).toEqual([
      {
        method: 'POST',
        type: 'application/json',
        body: JSON.stringify({ text: `*${notice.subject}*\n${notice.body}` }),
      },
    ]);
  });

  it('reports a refused delivery without quoting the webhook URL', async () => {
    // Arrange
    const hook = await receiver(404);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: hook.url });
    // Act
    const call = webhookNotifier().notify(notice);
    // Assert
    await expect(call).rejects.toThrow('webhook notification was refused with HTTP 404');
    await call.catch((e: Error) => expect(e.message).not.toContain('secret'));
    await hook.close();
  });

  it('picks up a rotated webhook URL once the cached one is older than its TTL', async () => {
    // Arrange: the first URL leaked and was rotated while a container was warm.
    const old = await receiver(200);
    const rotated = await receiver(200);
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: old.url })
      .resolves({ SecretString: rotated.url });
    const notifier = webhookNotifier();
    // Act
    await notifier.notify(notice);
    now += 6 * 60_000;
    await notifier.notify(notice);
    await old.close();
    await rotated.close();
    // Assert
    expect([old.received.length, rotated.received.length]).toEqual([1, 1]);
  });

  it('refuses a secret that does not hold an https URL and sends nothing', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'ftp://example.com/hook' });
    const call = webhookNotifier().notify(notice);
    await expect(call).rejects.toThrow('secret tollgate/webhook does not hold an https webhook URL');
  });
});
