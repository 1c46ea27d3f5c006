import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { describe } from 'vitest';
import { EventBridgeCommitPublisher } from '../../../../functions/webhook/event-publisher.js';
import { commitRules } from '../../../../runtime/bus/commit-rules.js';
import { createEventBus } from '../../../../runtime/bus/event-bus.js';
import { FakeEngineClock } from '../../../../runtime/engine/clock.js';
import { createApiServer } from '../../../../runtime/server/api-server.js';
import { loadOrCreateCredentials, localClientConfig } from '../../../../runtime/server/credentials.js';
import { commitEventPublisherContract, type MatchedEvent } from './commit-event-publisher.contract.js';

// The local runtime's event bus speaks EventBridge's PutEvents, so the AWS adapter is the local one
// too: `tollgate push` and the git hook put their events through the same SDK call.
describe('EventBridgeCommitPublisher on the local event bus', () => {
  commitEventPublisherContract('EventBridgeCommitPublisher (local bus)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tollgate-bus-'));
    const matched: MatchedEvent[] = [];
    const bus = createEventBus({
      clock: new FakeEngineClock('2026-03-01T10:00:00.000Z'),
      rules: commitRules({ source: { repository: 'orders-service', branches: ['main'] } }),
      dataDir,
      onMatch: (rule, event) => {
        matched.push({
          rule: rule.name,
          id: event.id,
          source: event.source,
          'detail-type': event['detail-type'],
          detail: event.detail,
        });
      },
    });
    await bus.start();
    const api = await createApiServer({
      services: [bus],
      credentials: await loadOrCreateCredentials(dataDir),
      port: 0,
    });
    const client = new EventBridgeClient({ ...localClientConfig(dataDir, api.endpoint), maxAttempts: 1 });
    return {
      publisher: new EventBridgeCommitPublisher(client, 'default'),
      matched: async () => {
        await bus.whenIdle();
        return [...matched];
      },
      cleanup: async () => {
        client.destroy();
        await api.close();
        await bus.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  });
});
