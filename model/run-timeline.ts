import type { Evidence } from './evidence.js';
import type { CommitInfo } from './run-summary.js';
import { isBookkeeping } from './stage-catalogue.js';

/**
 * What the fold answers: a run's stages, per environment, each with its status, duration, evidence
 * and error. `skipped`: only the stage's Choice/Pass states ran (no gate configured, no refresh for
 * prod). `interrupted`: the run stopped while the stage was open.
 */
/** The execution as its history says: status, times, commit, and how it ended. */
export interface ExecutionFacts {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startedAt: number | null;
  stoppedAt: number | null;
  commit: CommitInfo | null;
  output: unknown;
  error: string | null;
  cause: string | null;
}

type StageStatus = 'succeeded' | 'failed' | 'running' | 'waiting' | 'interrupted' | 'skipped';
type NodeStatus = 'succeeded' | 'failed' | 'running';

export interface StageView {
  readonly stage: string;
  readonly states: string[];
  status: StageStatus;
  readonly startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  /** Task invocations, retries included. */
  attempts: number;
  evidence: Evidence[];
  /** `cause` is the message; `raw` the cause as the history holds it (the console's raw record). */
  error: { error: string; cause: string | null; raw?: string | null } | null;
  /** The stage sat in a Wait state (a queued run polling for its turn). */
  waited?: boolean;
  /** Who may decide, for an approval gate. */
  approvers?: string[];
}

export interface EnvironmentView {
  name: string;
  readonly index: number;
  status: StageStatus;
  readonly startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  readonly stages: StageView[];
}

export interface Timeline {
  readonly before: StageView[];
  readonly environments: EnvironmentView[];
  readonly after: StageView[];
  /** Graph node id (see the console's graph model) → how that state fared in this run. */
  readonly stateStatus: Record<string, NodeStatus>;
  readonly eventCount: number;
  readonly execution: ExecutionFacts;
}

/** A stage as the terminal and `tollgate show` list it: flat, with its environment. */
export interface PlacedStage extends StageView {
  /** null for pipeline-wide stages (queue, build, register). */
  readonly environment: string | null;
}

/** The fold's working state for one lane (the run's top level, or one Map iteration). */
export interface Scope {
  readonly prefix: string;
  readonly stages: Map<string, StageView>;
  readonly list: StageView[];
  readonly env: EnvironmentView | null;
  named: boolean;
  current: { name: string; stage: StageView | null } | null;
  readonly lastExit: Map<StageView, number>;
  readonly lastFailure: Map<StageView, number>;
  readonly openState: Map<StageView, boolean>;
  readonly waiting: Set<StageView>;
  lastFailState: StageView | null;
  /** Stages that entered a state doing work (anything but Choice and Pass). */
  readonly worked: Set<StageView>;
}

/** Judges each stage from what its lane saw; copies, so the fold can go on folding. */
export function finishTimeline(
  lanes: {
    readonly before: Scope;
    readonly scopes: readonly Scope[];
    readonly after: Scope;
    readonly environments: readonly EnvironmentView[];
  },
  options: { readonly running: boolean; readonly now: number; readonly lastTs: number },
  rest: Pick<Timeline, 'stateStatus' | 'eventCount' | 'execution'>,
): Timeline {
  const judged = new Map<StageView, StageView>();
  const envs = new Map<EnvironmentView, EnvironmentView>();
  const endOf = (endedAt: number | null) => endedAt ?? (options.running ? options.now : options.lastTs);
  for (const scope of [...lanes.scopes, lanes.after]) {
    for (const stage of scope.list) {
      const failedAt = scope.lastFailure.get(stage) ?? -1;
      const exitedAt = scope.lastExit.get(stage) ?? -1;
      let status: StageStatus;
      if (failedAt > exitedAt || (stage.error && failedAt >= 0)) status = 'failed';
      else if (scope.openState.get(stage)) {
        status = options.running ? (scope.waiting.has(stage) ? 'waiting' : 'running') : 'interrupted';
      } else {
        // Inside an environment, a stage that only took its Choice's "not needed" branch was
        // skipped; outside, Pass states do real work (Normalize shapes the event).
        status = scope.env && !scope.worked.has(stage) ? 'skipped' : 'succeeded';
      }
      const durationMs = Math.max(0, endOf(stage.endedAt) - stage.startedAt);
      judged.set(stage, {
        ...stage,
        states: [...stage.states],
        evidence: [...stage.evidence],
        status,
        durationMs,
      });
    }
    if (scope.env) {
      const env = scope.env;
      const status = env.status === 'running' && !options.running ? 'interrupted' : env.status;
      envs.set(env, {
        ...env,
        status,
        durationMs: Math.max(0, endOf(env.endedAt) - env.startedAt),
        stages: env.stages.map((s) => judged.get(s)!),
      });
    }
  }
  return {
    before: lanes.before.list.map((s) => judged.get(s)!),
    environments: lanes.environments.map((e) => envs.get(e)!),
    after: lanes.after.list.map((s) => judged.get(s)!),
    stateStatus: { ...rest.stateStatus },
    eventCount: rest.eventCount,
    execution: rest.execution,
  };
}

/** Every stage in run order, each with the environment it ran in. */
export function placedStages(timeline: Timeline): PlacedStage[] {
  return [
    ...timeline.before.map((s) => ({ ...s, environment: null })),
    ...timeline.environments.flatMap((e) => e.stages.map((s) => ({ ...s, environment: e.name }))),
    ...timeline.after.map((s) => ({ ...s, environment: null })),
  ];
}

/**
 * The stages a person follows in the terminal and in `tollgate show`: bookkeeping and skipped
 * stages are left out there (the console draws them greyed), so the list says what happened.
 */
export function listedStages(timeline: Timeline): PlacedStage[] {
  return placedStages(timeline).filter((s) => s.status !== 'skipped' && !isBookkeeping(s.stage));
}
