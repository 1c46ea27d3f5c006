import { ExecutionAbortedError, StatesError, StatesErrorName } from '../asl/errors/states-error.js';
import type { HistoryCursor } from '../asl/history/history-cursor.js';
import type {
  HistoryEvent,
  HistoryRecorder,
  RecordOptions,
  StateEnteredDetails,
  StateExitedDetails,
} from '../asl/history/history-event.js';
import type { EngineClock } from './clock.js';

/** AWS caps an execution's history at 25,000 events; the next event fails the execution. */
const MAX_HISTORY_EVENTS = 25_000;

// Kept by every history until its first write: one settled promise for all of them.
const NOTHING_PENDING: Promise<void> = Promise.resolve();

// Asked for before every state; one shared empty list instead of a new one each time.
const NOTHING_TO_REPLAY: readonly HistoryEvent[] = Object.freeze([]);

// The default of `add`'s options: one object rather than a new one per event.
const NO_OPTIONS: RecordOptions = Object.freeze({});

export type EventListener = (executionArn: string, event: HistoryEvent) => void;

class HistoryLimitExceededError extends Error {
  constructor() {
    super(`The execution history exceeded the limit of ${MAX_HISTORY_EVENTS} events.`);
    this.name = 'States.Runtime';
  }
}

/**
 * Events after which the engine does something the outside world sees (a Lambda or integration
 * is called) or that settle the execution: `add` waits for these to be durable. The store keeps
 * append order, so that also makes every earlier event durable.
 */
function mustBeDurableBeforeContinuing(type: string): boolean {
  return (
    type === 'LambdaFunctionStarted' ||
    type === 'TaskStarted' ||
    /^Execution(Succeeded|Failed|Aborted|TimedOut|Redriven)$/.test(type)
  );
}

/**
 * One execution's event list. `add` assigns the id, links `previousEventId` through the cursor and
 * queues the event on the durable store.
 *
 * Pipelining: between side effects the interpreter does not wait for each event's fsync; the
 * store's group commit writes them in order. An event is only acknowledged — shown by
 * GetExecutionHistory, handed to listeners — once it is durable, and every side effect waits for
 * everything before it (see mustBeDurableBeforeContinuing). A crash can therefore only lose events
 * nobody saw, and recovery redoes them from the last durable checkpoint.
 */
export class ExecutionHistory implements HistoryRecorder {
  readonly events: HistoryEvent[] = [];
  /**
   * The thread of each event (see HistoryCursor), index for index with `events`, kept only once an
   * event outside the top-level thread ('') is recorded: most executions never have one, and the
   * list would cost a store per event for nothing.
   */
  private threadList: string[] | undefined;
  private durable = 0;
  private tail: Promise<void> = NOTHING_PENDING;
  /** The write the latest events joined, and the last of them (see `add`). */
  private batchWrite: Promise<void> | undefined;
  private batch: { lastId: number } | undefined;
  /** Recorded events each thread has yet to replay after a restart (see `replayFrom`). */
  private replay: Map<string, HistoryEvent[]> | undefined;

  constructor(
    private readonly executionArn: string,
    private readonly clock: EngineClock,
    /** Writes the event; undefined when there is nothing to wait for (see EngineJournal.event). */
    private readonly persist: (event: HistoryEvent, thread: string) => Promise<void> | undefined,
    private readonly listeners: ReadonlySet<EventListener>,
    /** False once the execution is stopped/finished: late work from it records nothing. */
    private readonly isOpen: () => boolean = () => true,
  ) {}

  /**
   * Not async: an event that need not be waited for gives its id at once (see HistoryRecorder.add),
   * which spares a promise and a microtask turn per event. Errors are thrown at the call.
   */
  add(
    cursor: HistoryCursor,
    type: string,
    details?: Record<string, unknown>,
    options: RecordOptions = NO_OPTIONS,
  ): number | Promise<number> {
    const updateSource = options.updateSource !== false;
    const replayed = this.claim(cursor, type, updateSource);
    if (replayed !== undefined) return replayed;
    // The fixed fields first and the spread last: the other way round V8 (Node 20) takes a slow
    // path for every event (measured 250× slower on a 4,000-event history).
    const event: HistoryEvent = {
      id: this.events.length + 1,
      previousEventId: cursor.sourceEventId,
      type,
      timestamp: this.clock.now(),
      ...details,
    };
    return this.record(cursor, event, updateSource);
  }

  addStateEntered(
    cursor: HistoryCursor,
    type: string,
    at: number,
    details: StateEnteredDetails,
  ): number | Promise<number> {
    const replayed = this.claim(cursor, type, true);
    if (replayed !== undefined) return replayed;
    const event: HistoryEvent = {
      id: this.events.length + 1,
      previousEventId: cursor.sourceEventId,
      type,
      timestamp: at,
      stateEnteredEventDetails: details,
    };
    return this.record(cursor, event, true);
  }

  addStateExited(
    cursor: HistoryCursor,
    type: string,
    at: number,
    details: StateExitedDetails,
  ): number | Promise<number> {
    const replayed = this.claim(cursor, type, true);
    if (replayed !== undefined) return replayed;
    const event: HistoryEvent = {
      id: this.events.length + 1,
      previousEventId: cursor.sourceEventId,
      type,
      timestamp: at,
      stateExitedEventDetails: details,
    };
    return this.record(cursor, event, true);
  }

  /**
   * Checks that the event may be recorded, and hands back the id of its recorded twin while the
   * thread replays after a restart (undefined when the event is to be recorded live).
   */
  private claim(cursor: HistoryCursor, type: string, updateSource: boolean): number | undefined {
    if (!this.isOpen() && !type.startsWith('Execution')) {
      throw new ExecutionAbortedError('The execution is no longer running');
    }
    const replayed = this.replayNext(cursor, type, updateSource);
    if (replayed !== undefined) return replayed;
    if (this.events.length >= MAX_HISTORY_EVENTS && !type.startsWith('Execution')) {
      throw new HistoryLimitExceededError();
    }
    return undefined;
  }

  /** Appends a live event (its id the next one), links the cursor to it and queues its write. */
  private record(
    cursor: HistoryCursor,
    event: HistoryEvent,
    updateSource: boolean,
  ): number | Promise<number> {
    const { id, type } = event;
    cursor.lastPublishedEventId = id;
    if (updateSource) cursor.sourceEventId = id;
    this.events.push(event);
    this.noteThread(cursor.thread);
    const write = this.persist(event, cursor.thread);
    if (write === undefined) {
      // Nothing to wait for (memory mode): the event is as durable as it will ever be.
      this.acknowledge(event);
      return id;
    }
    if (write === this.batchWrite && this.batch !== undefined) {
      // Same group write as the events before it: one reaction acknowledges them all, instead of
      // a promise and a closure per event (a 2,000-state chain shares a handful of writes).
      this.batch.lastId = id;
    } else {
      const batch = { lastId: id };
      this.batch = batch;
      this.batchWrite = write;
      const written = write.then(() => this.acknowledgeThrough(batch.lastId));
      this.tail = written;
      // A failed write closes the store; the next awaited event reports it.
      written.catch(() => undefined);
    }
    if (mustBeDurableBeforeContinuing(type)) return this.tail.then(() => id);
    return id;
  }

  /** Acknowledges, in order, every event up to `lastId` (their group writes are durable). */
  private acknowledgeThrough(lastId: number): void {
    for (let id = this.durable + 1; id <= lastId; id++) this.acknowledge(this.events[id - 1]);
  }

  /** The thread each event belongs to, index for index with `events`. */
  get threads(): readonly string[] {
    return this.threadList ?? this.events.map(() => '');
  }

  /** Records the thread of the event just pushed onto `events`. */
  private noteThread(thread: string): void {
    if (this.threadList !== undefined) this.threadList.push(thread);
    else if (thread !== '') {
      this.threadList = this.events.map(() => '');
      this.threadList[this.events.length - 1] = thread;
    }
  }

  /** How many events are durable, and so visible; always a prefix of `events`. */
  get durableCount(): number {
    return this.durable;
  }

  /** Resolves once every event added so far is durable. */
  flushed(): Promise<void> {
    return this.tail;
  }

  /** Restores events read back from the store (no persistence, no listeners). */
  restore(event: HistoryEvent, thread: string): void {
    this.events.push(event);
    this.noteThread(thread);
    this.durable = this.events.length;
  }

  /**
   * Recovery: the execution runs again from where its current run began (its start, or the state
   * a redrive continued from), and every event after `afterEventId` is handed back to its thread
   * in order instead of being recorded again.
   */
  replayFrom(afterEventId: number): void {
    const replay = new Map<string, HistoryEvent[]>();
    for (const [i, event] of this.events.entries()) {
      if (event.id <= afterEventId) continue;
      const thread = this.threadList?.[i] ?? '';
      const queue = replay.get(thread);
      if (queue) queue.push(event);
      else replay.set(thread, [event]);
    }
    this.replay = replay;
  }

  pending(cursor: HistoryCursor): readonly HistoryEvent[] {
    return this.replay?.get(cursor.thread) ?? NOTHING_TO_REPLAY;
  }

  /** Hands back the thread's next recorded event, or undefined once the thread runs live. */
  private replayNext(cursor: HistoryCursor, type: string, updateSource: boolean): number | undefined {
    const queue = this.replay?.get(cursor.thread);
    const recorded = queue?.[0];
    if (!queue || !recorded) return undefined;
    if (recorded.type !== type) {
      // The run ends here (a replay that failed ends in ExecutionFailed): whatever else was recorded
      // is abandoned and the end is recorded live, so the history always shows it.
      if (/^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(type)) {
        this.replay = undefined;
        return undefined;
      }
      // The definition is fixed per execution and recorded results are fed back, so this means a
      // log this engine cannot continue safely; failing loudly beats recording a second history.
      throw new StatesError(
        StatesErrorName.Runtime,
        `Recovery could not replay the history: event ${recorded.id} is ${recorded.type}, but the execution produced ${type} there`,
      );
    }
    queue.shift();
    if (queue.length === 0) this.replay?.delete(cursor.thread);
    cursor.lastPublishedEventId = recorded.id;
    if (updateSource) cursor.sourceEventId = recorded.id;
    return recorded.id;
  }

  private acknowledge(event: HistoryEvent): void {
    this.durable = Math.max(this.durable, event.id);
    // Most engines have no listener: no iterator for them.
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(this.executionArn, event);
      } catch {
        // A console listener must never break an execution.
      }
    }
  }
}
