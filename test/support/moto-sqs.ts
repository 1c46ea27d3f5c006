import { randomUUID } from 'node:crypto';
import type { MotoServer } from './moto-server.js';

/**
 * An SQS queue on moto, where SNS subscriptions and EventBridge targets deliver, so a test reads
 * a delivery the way a subscriber would. The project has no SQS client dependency for this alone:
 * the four calls go over SQS's JSON protocol with fetch.
 */
export interface MotoQueue {
  readonly queueArn: string;
  /** Every message body the queue has received so far, each once, in the order received. */
  readonly received: () => Promise<string[]>;
}

async function sqs<T>(moto: MotoServer, action: string, input: Record<string, unknown>): Promise<T> {
  const response = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AmazonSQS.${action}`,
      // moto_server picks the service from the credential scope; the signature itself is not checked.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${moto.clientConfig.region}/sqs/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(input),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`SQS ${action} on moto failed with HTTP ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}

export async function createMotoQueue(moto: MotoServer): Promise<MotoQueue> {
  const { QueueUrl } = await sqs<{ QueueUrl: string }>(moto, 'CreateQueue', {
    QueueName: `q-${randomUUID().slice(0, 8)}`,
  });
  const { Attributes } = await sqs<{ Attributes: { QueueArn: string } }>(moto, 'GetQueueAttributes', {
    QueueUrl,
    AttributeNames: ['QueueArn'],
  });
  const bodies: string[] = [];
  const received = async () => {
    for (;;) {
      const { Messages = [] } = await sqs<{ Messages?: Array<{ Body: string; ReceiptHandle: string }> }>(
        moto,
        'ReceiveMessage',
        { QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 },
      );
      if (Messages.length === 0) return [...bodies];
      bodies.push(...Messages.map((m) => m.Body));
      await sqs(moto, 'DeleteMessageBatch', {
        QueueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      });
    }
  };
  return { queueArn: Attributes.QueueArn, received };
}
