import type { Clock } from '../../functions/shared/clock.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';

/**
 * The pipeline's ledger entries, read once and shared by the board, the statistics and the
 * environment pages: two years of ledger is tens of thousands of lines to parse, too slow to do on
 * every request. Entries are appended by tasks, and a task's end is an engine event, so live
 * events drop the copy; without them (`console --aws`) it is re-read when older than `maxAgeMs`.
 */
export class LedgerCache {
  private entries: Promise<StoredLedgerEntry[]> | null = null;
  private readAt = 0;
  private generation = 0;

  constructor(
    private readonly read: () => Promise<StoredLedgerEntry[]>,
    private readonly options: { readonly clock: Clock; readonly live: boolean; readonly maxAgeMs: number },
  ) {}

  /** Something may have been appended. */
  invalidate(): void {
    this.generation += 1;
    this.entries = null;
  }

  get(): Promise<StoredLedgerEntry[]> {
    const now = this.options.clock.now().getTime();
    if (this.entries && (this.options.live || now - this.readAt < this.options.maxAgeMs)) return this.entries;
    const generation = this.generation;
    const reading = this.read();
    this.entries = reading;
    this.readAt = now;
    reading.then(
      () => {
        // An append that landed while this read ran may be missing from it: read again next time.
        if (this.generation !== generation && this.entries === reading) this.entries = null;
      },
      () => {
        if (this.entries === reading) this.entries = null;
      },
    );
    return reading;
  }
}
