/**
 * An ISO 8601 formatter that remembers its last millisecond: states (or executions) entered in the
 * same millisecond share one string instead of building a Date and formatting it again, which
 * showed in the engine's hot path. Each caller keeps its own, so interleaved callers do not evict
 * each other's entry.
 */
export function isoTimeCache(): (ms: number) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastText = new Date(ms).toISOString();
      lastMs = ms;
    }
    return lastText;
  };
}
