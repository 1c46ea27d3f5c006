import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CachedSecret } from '../../../../../../functions/shared/adapters/aws/cached-secret.js';
import { SnsNotifier } from '../../../../../../functions/shared/adapters/aws/sns-notifier.js';
import { WebhookNotifier } from '../../../../../../functions/shared/adapters/aws/webhook-notifier.js';
import { systemClock } from '../../../../../../functions/shared/clock.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../../../support/moto-server.js';
import { createMotoTopicWithQueue, subscribeQueue } from '../../../../../support/moto-sns-queue.js';
import { createMotoQueue } from '../../../../../support/moto-sqs.js';
import { type DeliveredNotice, notifierContract } from '../../ports/notifier.contract.js';

/** A chat service's incoming webhook on loopback: records each POSTed `{text}`. */
async function chatReceiver(): Promise<{ url: string; posts: string[]; server: Server }> {
  const posts: string[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += chunk;
    posts.push(body);
    res.writeHead(200).end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/T0/B0/x`, posts, server };
}

/** The chat message a reader sees: `*subject*` on the first line, then the body and the link. */
function fromChat(post: string): DeliveredNotice {
  const { text } = JSON.parse(post) as { text: string };
  const [first, ...rest] = text.split('\n');
  return { subject: first.replace(/^\*(.*)\*$/, '$1'), text: rest.join('\n') };
}

describe.runIf(motoEnabled('SNS and webhook notifiers on moto_server'))('notifiers on moto_server', () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  notifierContract('SnsNotifier (moto, read from an SQS subscription)', async () => {
    const topic = await createMotoTopicWithQueue(moto);
    return {
      notifier: new SnsNotifier({ client: new SNSClient(moto.clientConfig), topicArn: topic.topicArn }),
      delivered: async () =>
        (await topic.delivered()).map((m) => ({ subject: m.Subject ?? '', text: m.Message })),
    };
  });

  notifierContract('WebhookNotifier (URL in moto Secrets Manager)', async () => {
    const chat = await chatReceiver();
    const secrets = new SecretsManagerClient(moto.clientConfig);
    const { ARN } = await secrets.send(
      new CreateSecretCommand({
        Name: `tollgate/webhook-${randomUUID().slice(0, 8)}`,
        SecretString: chat.url,
      }),
    );
    return {
      notifier: new WebhookNotifier({
        url: new CachedSecret(secrets, ARN as string, systemClock),
        secretId: ARN as string,
      }),
      delivered: async () => chat.posts.map(fromChat),
      cleanup: () => new Promise<void>((resolve) => chat.server.close(() => resolve())),
    };
  });

  it("routes a notice by its message attributes through a subscription's filter policy", async () => {
    // Arrange: one subscriber for prod only, one for everything.
    const sns = new SNSClient(moto.clientConfig);
    const all = await createMotoTopicWithQueue(moto);
    const prodOnly = await createMotoQueue(moto);
    await subscribeQueue(sns, all.topicArn, prodOnly.queueArn, { environment: ['prod'] });
    const notifier = new SnsNotifier({ client: sns, topicArn: all.topicArn });
    const base = { body: 'waits', data: { kind: 'approval-requested', pipeline: 'orders' } };
    // Act
    await notifier.notify({
      ...base,
      subject: 'staging gate',
      data: { ...base.data, environment: 'staging' },
    });
    await notifier.notify({
      ...base,
      subject: 'prod gate',
      data: { ...base.data, environment: 'prod', count: 3 },
    });
    // Assert
    const everything = await all.delivered();
    expect(everything.map((m) => m.Subject)).toEqual(['staging gate', 'prod gate']);
    expect(everything[1].MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'approval-requested' },
      pipeline: { Type: 'String', Value: 'orders' },
      environment: { Type: 'String', Value: 'prod' },
    });
    const routed = (await prodOnly.received()).map((body) => JSON.parse(body).Subject);
    expect(routed).toEqual(['prod gate']);
  });

  it('folds a subject SNS would refuse (non-ASCII, over 100 characters) so the notice still arrives', async () => {
    // Arrange
    const topic = await createMotoTopicWithQueue(moto);
    const notifier = new SnsNotifier({ client: new SNSClient(moto.clientConfig), topicArn: topic.topicArn });
    // Act
    await notifier.notify({ subject: `orders — ${'x'.repeat(120)}`, body: 'b', data: {} });
    // Assert
    const [message] = await topic.delivered();
    expect(message.Subject).toBe(`orders ? ${'x'.repeat(88)}...`);
    expect(message.Subject).toHaveLength(100);
  });
});
