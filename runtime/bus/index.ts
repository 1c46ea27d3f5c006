export { commitRules } from './commit-rules.js';
export { DEFAULT_RETRY, type RetryPolicy } from './delivery-worker.js';
export {
  DeliveryRejectedError,
  EventBusError,
  InvalidEventPatternError,
  OutboxCorruptError,
} from './errors.js';
export {
  type ArchivedEvent,
  DeliveryStatus,
  type DeliveryView,
  EventOutcome,
  MAX_LIST_LIMIT,
} from './event-archive.js';
export { type BusRule, createEventBus, type EventBus, type EventBusOptions } from './event-bus.js';
export type { EventEnvelope } from './event-envelope.js';
export { OUTBOX_FILE } from './event-outbox.js';
export { type CompiledPattern, compilePattern, matchesPattern, validatePattern } from './event-pattern.js';
export { MAX_ENTRIES, MAX_REQUEST_ENTRY_BYTES } from './put-events-request.js';
