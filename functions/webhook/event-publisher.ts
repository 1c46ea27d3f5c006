import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { COMMIT_EVENT_DETAIL_TYPE, COMMIT_EVENT_SOURCE, type CommitPushedDetail } from './commit-event.js';
import { EventNotDeliveredError } from './errors.js';
import type { CommitEventPublisher } from './webhook.js';

/** Puts the commit event on an EventBridge bus. */
export class EventBridgeCommitPublisher implements CommitEventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {
    if (!eventBusName) throw new Error('event bus name is empty; set TOLLGATE_EVENT_BUS_NAME');
  }

  async publish(detail: CommitPushedDetail): Promise<string> {
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: COMMIT_EVENT_SOURCE,
            DetailType: COMMIT_EVENT_DETAIL_TYPE,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    // PutEvents answers 200 even when an entry is rejected; the failure is only in the entry result.
    const entry = out.Entries?.[0];
    if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      throw new EventNotDeliveredError(
        `EventBridge rejected the commit event: ${entry?.ErrorCode ?? 'no event id'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
    return entry.EventId;
  }
}
