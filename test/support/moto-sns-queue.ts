import { randomUUID } from 'node:crypto';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { MotoServer } from './moto-server.js';
import { createMotoQueue } from './moto-sqs.js';

/** A message as SNS hands it to an SQS subscriber (not raw delivery): the notification envelope. */
export interface SnsEnvelope {
  readonly Type: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * An SNS topic on moto with an SQS queue subscribed to it (optionally through a filter policy), so
 * a test reads what the topic delivered the way a subscriber would.
 */
export async function createMotoTopicWithQueue(
  moto: MotoServer,
  options: { readonly filterPolicy?: Record<string, unknown> } = {},
): Promise<{ readonly topicArn: string; readonly delivered: () => Promise<SnsEnvelope[]> }> {
  const sns = new SNSClient(moto.clientConfig);
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: `approvals-${randomUUID().slice(0, 8)}` }),
  );
  const queue = await createMotoQueue(moto);
  await subscribeQueue(sns, TopicArn as string, queue.queueArn, options.filterPolicy);
  return {
    topicArn: TopicArn as string,
    delivered: async () => (await queue.received()).map((body) => JSON.parse(body) as SnsEnvelope),
  };
}

export async function subscribeQueue(
  sns: SNSClient,
  topicArn: string,
  queueArn: string,
  filterPolicy?: Record<string, unknown>,
): Promise<void> {
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      ...(filterPolicy ? { Attributes: { FilterPolicy: JSON.stringify(filterPolicy) } } : {}),
    }),
  );
}
