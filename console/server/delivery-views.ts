import type { Clock } from '../../functions/shared/clock.js';
import type { StoredLedgerEntry } from '../../functions/shared/ports/ledger.js';
import { doraMeasures } from '../../model/dora.js';
import { runState } from '../../model/run-state.js';
import { placedStages } from '../../model/run-timeline.js';
import { runDurations, stageDurations } from '../../model/stage-durations.js';
import { type BoardLane, deliveryBoard } from './board-view.js';
import { BadRequestError } from './errors.js';
import type { RunIndex } from './run-index.js';
import type { RunTimelines } from './run-timelines.js';

/** What the board and the charts read: the run index, folded timelines and the pipeline's ledger. */
export interface DeliverySources {
  readonly index: Pick<RunIndex, 'open' | 'finished'>;
  readonly timelines: Pick<RunTimelines, 'many'>;
  readonly ledgerEntries: () => Promise<StoredLedgerEntry[]>;
  readonly environments: readonly string[];
  readonly clock: Clock;
}

/** Open runs folded to say where each is; a pipeline rarely has more than a few. */
const MAX_OPEN_RUNS = 50;
const STATS_DEFAULT_DAYS = 90;
const STATS_DEFAULT_RUNS = 20;

export async function boardOf(sources: DeliverySources): Promise<{ lanes: BoardLane[] }> {
  const [entries, { runs, numberOf }] = await Promise.all([sources.ledgerEntries(), sources.index.open()]);
  const folded = await sources.timelines.many(runs.slice(0, MAX_OPEN_RUNS));
  const active = folded.map(({ run, timeline }) => {
    const state = runState(timeline);
    const openStage = placedStages(timeline)
      .filter((s) => s.status === 'running' || s.status === 'waiting')
      .at(-1);
    return { summary: run, state, stage: openStage?.stage ?? null };
  });
  // Oldest first within a lane: the next to arrive leads.
  active.sort((a, b) => a.summary.startDate - b.summary.startDate);
  return {
    lanes: deliveryBoard(entries, sources.environments, active, numberOf),
  };
}

export async function statsOf(sources: DeliverySources, q: URLSearchParams) {
  const days = boundedInteger(q.get('days'), 'days', STATS_DEFAULT_DAYS, 1, 3660);
  const last = boundedInteger(q.get('runs'), 'runs', STATS_DEFAULT_RUNS, 1, 200);
  const [entries, finished] = await Promise.all([sources.ledgerEntries(), sources.index.finished(last)]);
  const folded = await sources.timelines.many(finished);
  return {
    dora: doraMeasures(entries, sources.environments, { now: sources.clock.now().getTime(), days }),
    stages: stageDurations(
      folded.map(({ run, timeline }) => ({ ...runDurations(run.name, timeline), number: run.number })),
    ),
  };
}

function boundedInteger(
  text: string | null,
  field: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === null || text === '') return fallback;
  const n = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new BadRequestError(
      `${field} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text.slice(0, 20))}`,
    );
  return n;
}
