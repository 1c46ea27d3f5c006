import { randomUUID } from 'node:crypto';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe } from 'vitest';
import { EventBridgeCommitPublisher } from '../../../../functions/webhook/event-publisher.js';
import { commitEventPatterns } from '../../../../infra/event-patterns.js';
import { type MotoServer, motoEnabled, startMotoServer } from '../../../support/moto-server.js';
import { createMotoQueue } from '../../../support/moto-sqs.js';
import { commitEventPublisherContract, type MatchedEvent } from './commit-event-publisher.contract.js';

describe.runIf(motoEnabled('EventBridgeCommitPublisher on moto_server'))(
  'EventBridgeCommitPublisher on moto_server',
  () => {
    let moto: MotoServer;
    beforeAll(async () => {
      moto = await startMotoServer();
    });
    afterAll(async () => {
      await moto?.stop();
    });

    // A bus per case, carrying the stack's commit rules, each with a queue as its target.
    commitEventPublisherContract('EventBridgeCommitPublisher (moto, rules with SQS targets)', async () => {
      const client = new EventBridgeClient(moto.clientConfig);
      const bus = `tollgate-${randomUUID().slice(0, 8)}`;
      await client.send(new CreateEventBusCommand({ Name: bus }));
      const patterns = commitEventPatterns({ source: { repository: 'orders-service', branches: ['main'] } });
      const queues = await Promise.all(
        Object.entries(patterns).map(async ([rule, pattern]) => {
          const queue = await createMotoQueue(moto);
          await client.send(
            new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
          );
          await client.send(
            new PutTargetsCommand({
              Rule: rule,
              EventBusName: bus,
              Targets: [{ Id: 'queue', Arn: queue.queueArn }],
            }),
          );
          return { rule, queue };
        }),
      );
      return {
        publisher: new EventBridgeCommitPublisher(client, bus),
        matched: async () => {
          const out: MatchedEvent[] = [];
          for (const { rule, queue } of queues)
            for (const body of await queue.received()) {
              const event = JSON.parse(body);
              out.push({
                rule,
                id: event.id,
                source: event.source,
                'detail-type': event['detail-type'],
                detail: event.detail,
              });
            }
          return out;
        },
      };
    });
  },
);
