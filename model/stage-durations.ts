import { quantile } from './dora.js';
import { placedStages, type Timeline } from './run-timeline.js';
import { StageId } from './stage-id.js';

/**
 * How long the stages people wait on took over the last runs, so a refresh growing slower is seen
 * before it hurts. Each group sums its stages across every environment of the run (a refresh of
 * test and of staging are both refresh time); a stage that was skipped counts for nothing.
 */
const DURATION_GROUPS = {
  refresh: [StageId.Refresh, StageId.Mask, StageId.VerifyMasking, StageId.Publish],
  migrate: [StageId.Migrate],
  tests: [StageId.DataChecks, StageId.SmokeTest],
  deploy: [StageId.Deploy, StageId.Canary],
} as const;
export type DurationGroup = keyof typeof DURATION_GROUPS;
export const DURATION_GROUP_NAMES = Object.keys(DURATION_GROUPS) as DurationGroup[];

const GROUP_OF = new Map<string, DurationGroup>(
  DURATION_GROUP_NAMES.flatMap((group) => DURATION_GROUPS[group].map((stage) => [stage, group] as const)),
);

export interface RunDurations {
  readonly name: string;
  /** The run's short number, when the reader knows it. */
  readonly number?: number;
  readonly startedAt: number;
  readonly status: string;
  /** Milliseconds per group; null when the run never ran a stage of that group. */
  readonly durations: Record<DurationGroup, number | null>;
}

export interface StageDurationReport {
  /** Oldest run first, as a chart reads left to right. */
  readonly runs: RunDurations[];
  readonly medians: Record<DurationGroup, number | null>;
}

export function runDurations(name: string, timeline: Timeline): RunDurations {
  const durations = Object.fromEntries(DURATION_GROUP_NAMES.map((g) => [g, null])) as Record<
    DurationGroup,
    number | null
  >;
  for (const stage of placedStages(timeline)) {
    const group = GROUP_OF.get(stage.stage);
    if (!group || stage.status === 'skipped' || stage.durationMs === null) continue;
    durations[group] = (durations[group] ?? 0) + stage.durationMs;
  }
  return {
    name,
    startedAt: timeline.execution.startedAt ?? 0,
    status: timeline.execution.status,
    durations,
  };
}

export function stageDurations(runs: readonly RunDurations[]): StageDurationReport {
  const ordered = [...runs].sort((a, b) => a.startedAt - b.startedAt || a.name.localeCompare(b.name));
  const medians = Object.fromEntries(
    DURATION_GROUP_NAMES.map((g) => {
      const values = ordered
        .map((r) => r.durations[g])
        .filter((v): v is number => v !== null)
        .sort((a, b) => a - b);
      return [g, quantile(values, 0.5)];
    }),
  ) as Record<DurationGroup, number | null>;
  return { runs: ordered, medians };
}
