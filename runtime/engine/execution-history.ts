import { ExecutionAbortedError } from '../asl/errors/states-error.js';
import type { HistoryCursor } from '../asl/history/history-cursor.js';
import type { HistoryEvent, HistoryRecorder } from '../asl/history/history-event.js';
import type { EngineClock } from './clock.js';

/** AWS caps an execution's history at 25,000 events; the next event fails the execution. */
export const MAX_HISTORY_EVENTS = 25_000;

export type EventListener = (executionArn: string, event: HistoryEvent) => void;

export class HistoryLimitExceededError extends Error {
  constructor() {
    super(`The execution history exceeded the limit of ${MAX_HISTORY_EVENTS} events.`);
    this.name = 'States.Runtime';
  }
}

/**
 * One execution's event list. `add` assigns the id, links `previousEventId` through the cursor and
 * resolves once `persist` (the durable store) has the event.
 */
export class ExecutionHistory implements HistoryRecorder {
  readonly events: HistoryEvent[] = [];

  constructor(
    private readonly executionArn: string,
    private readonly clock: EngineClock,
    private readonly persist: (event: HistoryEvent) => Promise<void>,
    private readonly listeners: ReadonlySet<EventListener>,
    /** False once the execution is stopped/finished: late work from it records nothing. */
    private readonly isOpen: () => boolean = () => true,
  ) {}

  async add(
    cursor: HistoryCursor,
    type: string,
    details?: Record<string, unknown>,
    options: { readonly updateSource?: boolean } = {},
  ): Promise<number> {
    if (!this.isOpen() && !type.startsWith('Execution')) {
      throw new ExecutionAbortedError('The execution is no longer running');
    }
    if (this.events.length >= MAX_HISTORY_EVENTS && !type.startsWith('Execution')) {
      throw new HistoryLimitExceededError();
    }
    const id = this.events.length + 1;
    const event: HistoryEvent = {
      ...(details ?? {}),
      id,
      previousEventId: cursor.sourceEventId,
      type,
      timestamp: this.clock.now(),
    };
    cursor.lastPublishedEventId = id;
    if (options.updateSource !== false) cursor.sourceEventId = id;
    this.events.push(event);
    await this.persist(event);
    for (const listener of this.listeners) {
      try {
        listener(this.executionArn, event);
      } catch {
        // A console listener must never break an execution.
      }
    }
    return id;
  }

  /** Restores events read back from the store (no persistence, no listeners). */
  restore(event: HistoryEvent): void {
    this.events.push(event);
  }
}
