/**
 * Short run numbers (`#42`): a pipeline's runs counted in the order they started, oldest `#1`.
 * Derived from the run list rather than stored, so every reader (console, CLI) numbers alike.
 * Step Functions forgets executions 90 days after they end; numbers count the runs it still lists.
 */
export function runNumbers<T extends { readonly name: string; readonly startDate: number }>(
  runs: readonly T[],
): Map<string, number> {
  const ordered = [...runs].sort(compareByStart);
  return new Map(ordered.map((run, i) => [run.name, i + 1]));
}

/** Start time, then name: the same order the console's run index keeps. */
function compareByStart(
  a: { readonly name: string; readonly startDate: number },
  b: { readonly name: string; readonly startDate: number },
): number {
  return a.startDate - b.startDate || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

const RUN_NUMBER = /^#(\d{1,9})$/;

/** `#42` → 42; anything else → null. A bare number is left to name matching first (see pickRun). */
export function parseRunNumber(text: string): number | null {
  const match = RUN_NUMBER.exec(text.trim());
  if (!match) return null;
  const n = Number(match[1]);
  return n >= 1 ? n : null;
}
