/**
 * Tracks which event the next history event points back to (`previousEventId`). AWS links each
 * event to the last "source" event of its branch of work; some events (MapIterationSucceeded,
 * MapStateSucceeded...) are published without becoming the source of what follows.
 */
export class HistoryCursor {
  constructor(
    public sourceEventId = 0,
    public lastPublishedEventId = sourceEventId,
  ) {}

  /** A child cursor for nested work (a Map iteration or a Parallel branch). */
  fork(): HistoryCursor {
    return new HistoryCursor(this.sourceEventId, this.sourceEventId);
  }

  /** Folds a finished child's position back in, as the parent continues after it. */
  integrate(child: HistoryCursor): void {
    this.sourceEventId = Math.max(this.sourceEventId, child.sourceEventId);
    this.lastPublishedEventId = Math.max(this.lastPublishedEventId, child.lastPublishedEventId);
  }
}
