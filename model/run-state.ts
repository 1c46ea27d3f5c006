import { type PlacedStage, placedStages, type Timeline } from './run-timeline.js';
import { StageId } from './stage-catalogue.js';

/**
 * Where a run really is, in the words people use, rather than the execution's RUNNING or FAILED:
 * a run waiting for its turn is queued, one at a gate waits for approval (somewhere, for someone),
 * a failure that put the environment back is rolled back, a commit the config does not deploy is
 * skipped.
 */
export const RunState = {
  Queued: 'queued',
  Running: 'running',
  Waiting: 'waiting',
  Succeeded: 'succeeded',
  Skipped: 'skipped',
  Failed: 'failed',
  RolledBack: 'rolled-back',
  Aborted: 'aborted',
} as const;
export type RunState = (typeof RunState)[keyof typeof RunState];
export const RUN_STATES: readonly RunState[] = Object.values(RunState);

export interface RunStateView {
  readonly state: RunState;
  /** The environment the state is about: the gate's, the failure's, the rolled-back one. */
  readonly environment: string | null;
  /** Who may approve, while waiting for approval. */
  readonly approvers: readonly string[];
}

export function runState(timeline: Timeline): RunStateView {
  const stages = placedStages(timeline);
  const view = (state: RunState, stage?: PlacedStage): RunStateView => ({
    state,
    environment: stage?.environment ?? null,
    approvers: state === RunState.Waiting ? (stage?.approvers ?? []) : [],
  });
  const execution = timeline.execution;
  switch (execution.status) {
    case 'RUNNING': {
      const gate = stages.find((s) => s.stage === StageId.Approval && s.status === 'waiting');
      if (gate) return view(RunState.Waiting, gate);
      const open = stages.filter((s) => s.status === 'running' || s.status === 'waiting').at(-1);
      // A run that has not got its turn sits in the queue stage's Wait state (a poll loop) or its
      // task-token wait (woken by the run before it): either way it is queued.
      if (open?.stage === StageId.Queue && (open.waited || open.status === 'waiting'))
        return view(RunState.Queued);
      return view(RunState.Running, open);
    }
    case 'SUCCEEDED':
      return view(
        (execution.output as { status?: unknown } | null)?.status === 'SKIPPED'
          ? RunState.Skipped
          : RunState.Succeeded,
      );
    case 'ABORTED':
      return view(RunState.Aborted);
    default: {
      const undone = stages.find(
        (s) => (s.stage === StageId.Rollback || s.stage === StageId.RestoreData) && s.status === 'succeeded',
      );
      if (undone) return view(RunState.RolledBack, undone);
      return view(
        RunState.Failed,
        stages.find((s) => s.status === 'failed'),
      );
    }
  }
}
