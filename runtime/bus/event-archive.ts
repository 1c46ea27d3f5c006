import { EventBusError } from './errors.js';
import type { EventEnvelope } from './event-envelope.js';
import type { OutboxRecord } from './event-outbox.js';

/**
 * What became of each event, rebuilt from the outbox: which rules matched and how each delivery
 * stands. "Every commit event ends as a run or as a recorded skip" is read from here.
 */
const DeliveryStatus = {
  /** Not yet attempted. */
  Pending: 'pending',
  /** Attempted, failed, and due again at `nextAttemptAt`. */
  Retrying: 'retrying',
  Delivered: 'delivered',
  /** Given up for good (the receiver rejected it, or its rule no longer exists). */
  Failed: 'failed',
} as const;
type DeliveryStatus = (typeof DeliveryStatus)[keyof typeof DeliveryStatus];

const EventOutcome = {
  /** Accepted, but no rule on its bus matched: a recorded skip. */
  NoRuleMatched: 'no-rule-matched',
  /** At least one delivery is still owed. */
  Pending: 'pending',
  Delivered: 'delivered',
  /** Nothing is owed any more and at least one delivery failed for good. */
  Failed: 'failed',
} as const;
type EventOutcome = (typeof EventOutcome)[keyof typeof EventOutcome];

interface DeliveryView {
  readonly rule: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError?: string;
  readonly nextAttemptAt?: string;
  readonly deliveredAt?: string;
}

export interface ArchivedEvent {
  readonly id: string;
  readonly bus: string;
  /** When the bus accepted it (ISO 8601 with milliseconds). */
  readonly receivedAt: string;
  readonly outcome: EventOutcome;
  /** Why nothing was delivered, for `no-rule-matched` events. */
  readonly skipReason?: string;
  readonly event: EventEnvelope;
  readonly deliveries: readonly DeliveryView[];
}

interface DeliveryState {
  rule: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  nextAttemptAt?: number;
  deliveredAt?: number;
}

interface Entry {
  readonly seq: number;
  readonly bus: string;
  readonly receivedAt: number;
  readonly event: EventEnvelope;
  readonly deliveries: Map<string, DeliveryState>;
}

export interface OwedDelivery {
  readonly id: string;
  readonly rule: string;
  readonly seq: number;
  readonly attempts: number;
  /** Epoch ms; undefined when never attempted. */
  readonly dueAt: number | undefined;
}

const MAX_LIST_LIMIT = 1000;

export class EventArchive {
  private readonly entries = new Map<string, Entry>();

  apply(record: OutboxRecord): void {
    if (record.t === 'accepted') {
      const deliveries = new Map<string, DeliveryState>(
        record.rules.map((rule) => [rule, { rule, status: DeliveryStatus.Pending, attempts: 0 }]),
      );
      this.entries.set(record.event.id, {
        seq: this.entries.size,
        bus: record.bus,
        receivedAt: record.at,
        event: record.event,
        deliveries,
      });
      return;
    }
    const delivery = this.entries.get(record.id)?.deliveries.get(record.rule);
    // An outcome for an unknown event or rule cannot come from this bus; ignore rather than invent.
    if (!delivery || delivery.status === DeliveryStatus.Delivered) return;
    delivery.attempts = Math.max(delivery.attempts, record.attempt);
    if (record.t === 'delivered') {
      delivery.status = DeliveryStatus.Delivered;
      delivery.deliveredAt = record.at;
      delivery.nextAttemptAt = undefined;
    } else {
      delivery.status = record.retryAt === null ? DeliveryStatus.Failed : DeliveryStatus.Retrying;
      delivery.lastError = record.error;
      delivery.nextAttemptAt = record.retryAt ?? undefined;
    }
  }

  event(id: string): EventEnvelope | undefined {
    return this.entries.get(id)?.event;
  }

  /** Deliveries still owed, in acceptance order. */
  owed(): OwedDelivery[] {
    const out: OwedDelivery[] = [];
    for (const entry of this.entries.values()) {
      for (const d of entry.deliveries.values()) {
        if (d.status === DeliveryStatus.Pending || d.status === DeliveryStatus.Retrying) {
          out.push({
            id: entry.event.id,
            rule: d.rule,
            seq: entry.seq,
            attempts: d.attempts,
            dueAt: d.nextAttemptAt,
          });
        }
      }
    }
    return out;
  }

  seqOf(id: string): number {
    return this.entries.get(id)?.seq ?? Number.MAX_SAFE_INTEGER;
  }

  get(id: string): ArchivedEvent | undefined {
    const entry = this.entries.get(id);
    return entry ? view(entry) : undefined;
  }

  /** Newest first. `since` keeps events received at or after it. */
  list(options: { since?: Date | string; limit: number }): ArchivedEvent[] {
    const { since, limit } = options ?? ({} as { limit: number });
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new EventBusError(
        `limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${JSON.stringify(limit)}`,
      );
    }
    let from = Number.NEGATIVE_INFINITY;
    if (since !== undefined) {
      from = new Date(since).getTime();
      if (Number.isNaN(from))
        throw new EventBusError(`since must be an ISO 8601 time, got ${JSON.stringify(since)}`);
    }
    const out: ArchivedEvent[] = [];
    const all = [...this.entries.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      if (all[i].receivedAt >= from) out.push(view(all[i]));
    }
    return out;
  }
}

function view(entry: Entry): ArchivedEvent {
  const deliveries = [...entry.deliveries.values()].map(
    (d): DeliveryView => ({
      rule: d.rule,
      status: d.status,
      attempts: d.attempts,
      ...(d.lastError !== undefined ? { lastError: d.lastError } : {}),
      ...(d.nextAttemptAt !== undefined ? { nextAttemptAt: new Date(d.nextAttemptAt).toISOString() } : {}),
      ...(d.deliveredAt !== undefined ? { deliveredAt: new Date(d.deliveredAt).toISOString() } : {}),
    }),
  );
  return {
    id: entry.event.id,
    bus: entry.bus,
    receivedAt: new Date(entry.receivedAt).toISOString(),
    outcome: outcomeOf(deliveries),
    ...(deliveries.length === 0 ? { skipReason: `no rule on event bus ${entry.bus} matched` } : {}),
    event: entry.event,
    deliveries,
  };
}

function outcomeOf(deliveries: readonly DeliveryView[]): EventOutcome {
  if (deliveries.length === 0) return EventOutcome.NoRuleMatched;
  if (deliveries.some((d) => d.status === DeliveryStatus.Pending || d.status === DeliveryStatus.Retrying)) {
    return EventOutcome.Pending;
  }
  if (deliveries.some((d) => d.status === DeliveryStatus.Failed)) return EventOutcome.Failed;
  return EventOutcome.Delivered;
}
