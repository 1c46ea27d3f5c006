/**
 * Tracks which event the next history event points back to (`previousEventId`). AWS links each
 * event to the last "source" event of its branch of work; some events (MapIterationSucceeded,
 * MapStateSucceeded...) are published without becoming the source of what follows.
 *
 * `thread` names the thread of work the cursor belongs to: '' for the top-level program,
 * `<startedEventId>.<index>` for a Map iteration or Parallel branch (the id of its
 * MapStateStarted/ParallelStateStarted event, unique in the execution). Every event is stored with
 * its thread, so recovery can replay each thread's own events back to it (see history-event.ts).
 */
export class HistoryCursor {
  constructor(
    public sourceEventId = 0,
    public lastPublishedEventId = sourceEventId,
    readonly thread = '',
  ) {}

  /** A child cursor for nested work (a Map iteration or a Parallel branch). */
  fork(thread = this.thread): HistoryCursor {
    return new HistoryCursor(this.sourceEventId, this.sourceEventId, thread);
  }

  /** Folds a finished child's position back in, as the parent continues after it. */
  integrate(child: HistoryCursor): void {
    this.sourceEventId = Math.max(this.sourceEventId, child.sourceEventId);
    this.lastPublishedEventId = Math.max(this.lastPublishedEventId, child.lastPublishedEventId);
  }
}

/** The thread id of item/branch `index` of the Map or Parallel state whose Started event is `startedEventId`. */
export function childThread(startedEventId: number, index: number): string {
  return `${startedEventId}.${index}`;
}

/**
 * The next event id of a recorder that keeps no events (a distributed map's children, TestState):
 * counted on the cursor alone, which then points at it.
 */
export function nextEventId(cursor: HistoryCursor): number {
  cursor.lastPublishedEventId += 1;
  cursor.sourceEventId = cursor.lastPublishedEventId;
  return cursor.lastPublishedEventId;
}
