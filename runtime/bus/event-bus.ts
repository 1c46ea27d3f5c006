import { randomUUID } from 'node:crypto';
import { AwsApiError, type AwsJsonService } from '../api/aws-service.js';
import type { EngineClock } from '../engine/clock.js';
import { LOCAL_REGION } from '../server/credentials.js';
import { DEFAULT_RETRY, DeliveryWorker, type RetryPolicy } from './delivery-worker.js';
import { EventBusError } from './errors.js';
import { type ArchivedEvent, EventArchive } from './event-archive.js';
import { type EventEnvelope, envelopeTime } from './event-envelope.js';
import { EventOutbox, type OutboxRecord } from './event-outbox.js';
import { type CompiledPattern, compilePattern } from './event-pattern.js';
import {
  type AcceptedEntry,
  checkEntry,
  type EntryFailure,
  isFailure,
  parsePutEventsRequest,
} from './put-events-request.js';

/** A rule on the local bus: the same pattern object the CDK stack puts on its EventBridge rule. */
export interface BusRule {
  readonly name: string;
  readonly eventPattern: unknown;
  /** @default 'default' */
  readonly eventBusName?: string;
}

export interface EventBusOptions {
  readonly clock: EngineClock;
  readonly rules: readonly BusRule[];
  /**
   * Called for each (matched rule, event), at least once, until it resolves. Use `event.id` to
   * dedupe (the runtime uses it as the execution name). Throw DeliveryRejectedError to give up.
   */
  readonly onMatch: (rule: BusRule, event: EventEnvelope) => Promise<void> | void;
  /** The outbox lives at `<dataDir>/bus/outbox.jsonl`. */
  readonly dataDir: string;
  /** @default LOCAL_REGION */
  readonly region?: string;
  /** @default '123456789012', as the local engine */
  readonly accountId?: string;
  /** @default { baseDelayMs: 1000, maxDelayMs: 60000 } */
  readonly retry?: RetryPolicy;
  /** EventBridge refuses `aws.*` sources from callers; tests simulating AWS services may allow them. @default false */
  readonly allowAwsSources?: boolean;
  /** Told about outbox write failures while recording a delivery outcome. @default console.error */
  readonly onError?: (error: unknown) => void;
}

export interface EventBus extends AwsJsonService {
  /** Opens the outbox, rebuilds the archive and resumes every delivery still owed. */
  start(): Promise<void>;
  /** Stops retries and waits for an in-flight delivery; owed deliveries resume on the next start. */
  close(): Promise<void>;
  /** Events newest first with their outcome: matched rules and delivery states, or the skip reason. */
  listEvents(options: { since?: Date | string; limit: number }): ArchivedEvent[];
  getEvent(id: string): ArchivedEvent | undefined;
  /** Resolves when no delivery is running or due at the clock's current time (for tests and shutdown). */
  whenIdle(): Promise<void>;
}

interface CompiledRule {
  readonly rule: BusRule;
  readonly bus: string;
  readonly pattern: CompiledPattern;
}

export function createEventBus(options: EventBusOptions): EventBus {
  const rules = compileRules(options);
  if (!options.clock || typeof options.onMatch !== 'function') {
    throw new EventBusError('createEventBus: clock and onMatch are required');
  }
  const retry = checkRetry(options.retry ?? DEFAULT_RETRY);
  const region = options.region ?? LOCAL_REGION;
  const accountId = options.accountId ?? '123456789012';
  const archive = new EventArchive();
  const byName = new Map(rules.map((r) => [r.rule.name, r.rule]));
  let outbox: EventOutbox | undefined;
  let worker: DeliveryWorker<BusRule> | undefined;
  let state: 'new' | 'starting' | 'started' | 'closed' = 'new';

  const putEvents = async (request: unknown) => {
    const entries = parsePutEventsRequest(request);
    const now = options.clock.now();
    const results: ({ EventId: string } | EntryFailure)[] = [];
    const records: OutboxRecord[] = [];
    for (const entry of entries) {
      const checked = checkEntry(entry, { allowAwsSources: options.allowAwsSources === true });
      if (isFailure(checked)) {
        results.push(checked);
        continue;
      }
      const event = toEnvelope(checked, now, region, accountId);
      const matched = rules.filter((r) => r.bus === checked.busName && r.pattern.matches(event));
      records.push({
        t: 'accepted',
        at: now,
        bus: checked.busName,
        event,
        rules: matched.map((r) => r.rule.name),
      });
      results.push({ EventId: event.id });
    }
    if (records.length > 0) {
      // Durable before we answer: an EventId handed out is an event that will be delivered.
      await outbox!.append(records);
      for (const record of records) archive.apply(record);
      worker!.schedule(
        records.flatMap((r) =>
          r.t === 'accepted'
            ? r.rules.map((rule) => ({
                id: r.event.id,
                rule,
                seq: archive.seqOf(r.event.id),
                attempts: 0,
                dueAt: undefined,
              }))
            : [],
        ),
      );
    }
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  return {
    targetPrefix: 'AWSEvents',
    async dispatch(operation: string, request: unknown): Promise<unknown> {
      if (operation !== 'PutEvents') {
        throw new AwsApiError('UnknownOperationException', `The local event bus does not serve ${operation}`);
      }
      if (state !== 'started') {
        throw new AwsApiError('ServiceUnavailable', 'The event bus is not running', 503);
      }
      return putEvents(request);
    },
    async start() {
      if (state !== 'new') throw new EventBusError(`the event bus cannot start: it is ${state}`);
      state = 'starting';
      const opened = await EventOutbox.open(options.dataDir);
      outbox = opened.outbox;
      for (const record of opened.records) archive.apply(record);
      worker = new DeliveryWorker<BusRule>(
        options.clock,
        outbox,
        archive,
        { rule: (name) => byName.get(name), deliver: async (rule, event) => options.onMatch(rule, event) },
        retry,
        options.onError ?? ((error) => console.error('event bus: cannot record a delivery outcome', error)),
      );
      state = 'started';
      worker.schedule(archive.owed());
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      await worker?.close();
      await outbox?.close();
    },
    listEvents: (listOptions) => archive.list(listOptions),
    getEvent: (id) => archive.get(id),
    whenIdle: () => worker?.whenIdle() ?? Promise.resolve(),
  };
}

function toEnvelope(entry: AcceptedEntry, now: number, region: string, account: string): EventEnvelope {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': entry.detailType,
    source: entry.source,
    account,
    time: envelopeTime(entry.time ?? new Date(now)),
    region,
    resources: entry.resources,
    detail: entry.detail,
  };
}

function compileRules(options: EventBusOptions): CompiledRule[] {
  if (!options || !Array.isArray(options.rules))
    throw new EventBusError('createEventBus: rules must be an array');
  const seen = new Set<string>();
  return options.rules.map((rule, i) => {
    if (typeof rule?.name !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(rule.name)) {
      throw new EventBusError(
        `rules[${i}].name must be 1-64 letters, digits, '.', '-' or '_' (EventBridge's rule name), got ${JSON.stringify(rule?.name)}`,
      );
    }
    const bus = rule.eventBusName ?? 'default';
    // Deliveries are recorded by rule name, so names are unique across buses.
    if (seen.has(rule.name)) throw new EventBusError(`rule ${rule.name} is defined twice`);
    seen.add(rule.name);
    try {
      return { rule, bus, pattern: compilePattern(rule.eventPattern) };
    } catch (error) {
      throw new EventBusError(`rule ${rule.name}: ${(error as Error).message}`, { cause: error });
    }
  });
}

function checkRetry(retry: RetryPolicy): RetryPolicy {
  const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
  if (!ok(retry?.baseDelayMs) || !ok(retry?.maxDelayMs) || retry.maxDelayMs < retry.baseDelayMs) {
    throw new EventBusError(`retry needs positive baseDelayMs <= maxDelayMs, got ${JSON.stringify(retry)}`);
  }
  return retry;
}
