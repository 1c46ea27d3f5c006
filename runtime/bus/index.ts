export { commitRules } from './commit-rules.js';
export { type BusRule, createEventBus, type EventBus } from './event-bus.js';
export type { EventEnvelope } from './event-envelope.js';
