import type { HistoryEvent } from '../asl/history/history-event.js';
import { type EngineRecord, engineRecord } from './engine-records.js';

// Events of one execution are batched into `evs` records of about this size: one frame and one
// JSON.parse per batch instead of per event makes writing and replay several times faster, and the
// cap keeps any record far below the store's 64 MiB frame limit even for a 25,000-event history.
const EVENT_BATCH_BYTES = 1024 * 1024;

/**
 * Appends one execution's events to `out` as `evs` records of at most about EVENT_BATCH_BYTES
 * each. Used by the journal for each group write and by compaction for the whole history, so both
 * write events the same way (logs written before kept one `ev` record per event; replay reads both).
 */
export function pushEventRecords(
  out: EngineRecord[],
  x: string,
  events: readonly HistoryEvent[],
  threads: readonly string[],
): void {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < events.length; i++) {
    // An estimate is enough: the cap only has to keep records well below the frame limit.
    bytes += estimateBytes(events[i]);
    if (bytes >= EVENT_BATCH_BYTES || i === events.length - 1) {
      out.push(engineRecord.events(x, events.slice(start, i + 1), threads.slice(start, i + 1)));
      start = i + 1;
      bytes = 0;
    }
  }
}

function estimateBytes(event: Readonly<Record<string, unknown>>): number {
  // for…in rather than Object.values: this runs for every event written, and allocates nothing.
  let bytes = 128;
  for (const key in event) {
    const value = event[key];
    if (value === null || typeof value !== 'object') continue;
    const details = value as Readonly<Record<string, unknown>>;
    for (const inner in details) {
      const text = details[inner];
      if (typeof text === 'string') bytes += text.length * 3;
    }
  }
  return bytes;
}
