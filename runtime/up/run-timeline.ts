import { isFailureState, type Stage, stageOf } from './stage-names.js';

/**
 * Folds a run's Step Functions history into stages per environment: what the terminal progress
 * and `tollgate show` print. It reads only the history (live from the engine, or from
 * GetExecutionHistory over the API), so it answers the same for a local run and an AWS one.
 */
export const StageStatus = {
  Running: 'running',
  Waiting: 'waiting',
  Succeeded: 'succeeded',
  Failed: 'failed',
} as const;
export type StageStatus = (typeof StageStatus)[keyof typeof StageStatus];

export interface StageRecord {
  /** null for pipeline-wide stages (queue, build, register). */
  readonly environment: string | null;
  readonly stage: Stage;
  status: StageStatus;
  readonly startedAt: number;
  endedAt?: number;
  error?: string;
  cause?: string;
  /** The last task result in the stage (the Lambda payload): the stage's evidence. */
  result?: unknown;
}

export interface RunCommit {
  readonly repository?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly message?: string;
  readonly author?: { readonly name?: string; readonly email?: string };
}

export interface RunView {
  readonly executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startedAt?: number;
  stoppedAt?: number;
  commit?: RunCommit;
  output?: unknown;
  error?: string;
  cause?: string;
  readonly stages: StageRecord[];
}

export type TimelineChange =
  | { readonly kind: 'stage-started'; readonly stage: StageRecord }
  | { readonly kind: 'stage-waiting'; readonly stage: StageRecord }
  | { readonly kind: 'stage-finished'; readonly stage: StageRecord }
  | { readonly kind: 'run-finished'; readonly run: RunView };

/** A history event as the engine emits it (epoch ms) or as the SDK returns it (a Date). */
export interface TimelineEvent {
  readonly type?: string;
  readonly timestamp?: number | Date;
  readonly [details: string]: unknown;
}

const FAILURE_EVENTS = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
  'LambdaFunctionScheduleFailed',
]);
const SUCCESS_EVENTS = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded']);
const END_EVENTS: Readonly<Record<string, RunView['status']>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

export class RunTimeline {
  readonly run: RunView;
  private environment: string | null = null;
  private open: StageRecord | undefined;
  private lastExitAt: number | undefined;

  constructor(executionArn: string) {
    this.run = { executionArn, status: 'RUNNING', stages: [] };
  }

  /** Applies one event in history order and says what changed for a person watching. */
  apply(event: TimelineEvent): TimelineChange[] {
    const type = String(event.type ?? '');
    const at = toMs(event.timestamp);
    const changes: TimelineChange[] = [];
    if (type === 'ExecutionStarted') {
      this.run.startedAt = at;
      this.run.commit = commitOf(details(event, 'executionStartedEventDetails').input);
    } else if (type === 'MapIterationStarted' || type === 'MapStateExited') {
      this.close(at, changes);
      this.environment = null;
    } else if (type.startsWith('MapIteration')) {
      this.close(at, changes);
    } else if (type.endsWith('StateEntered')) {
      this.enter(event, at, changes);
    } else if (type.endsWith('StateExited')) {
      this.lastExitAt = at;
    } else if (FAILURE_EVENTS.has(type) && this.open) {
      const d = details(event, detailsKey(type));
      this.open.status = StageStatus.Failed;
      this.open.error = str(d.error);
      this.open.cause = str(d.cause);
    } else if (SUCCESS_EVENTS.has(type) && this.open) {
      // A retry that succeeds takes back the failure an earlier attempt recorded.
      this.open.status = StageStatus.Running;
      this.open.error = undefined;
      this.open.cause = undefined;
      this.open.result = resultOf(details(event, detailsKey(type)).output);
    } else if ((type === 'TaskSubmitted' || type === 'TaskStarted') && this.open?.stage === 'approval') {
      if (this.open.status !== StageStatus.Waiting) {
        this.open.status = StageStatus.Waiting;
        changes.push({ kind: 'stage-waiting', stage: this.open });
      }
    } else if (END_EVENTS[type]) {
      const status = END_EVENTS[type];
      const d = details(event, `execution${type.slice('Execution'.length)}EventDetails`);
      if (this.open && status !== 'SUCCEEDED' && this.open.status !== StageStatus.Failed) {
        this.open.status = StageStatus.Failed;
        this.open.error ??= str(d.error) ?? status;
        this.open.cause ??= str(d.cause);
      }
      this.close(at, changes);
      this.run.status = status;
      this.run.stoppedAt = at;
      if (d.output !== undefined) this.run.output = parseJson(d.output);
      if (d.error !== undefined) this.run.error = str(d.error);
      if (d.cause !== undefined) this.run.cause = str(d.cause);
      changes.push({ kind: 'run-finished', run: this.run });
    }
    return changes;
  }

  /** Applies a whole history (GetExecutionHistory order). */
  static fold(executionArn: string, events: Iterable<TimelineEvent>): RunView {
    const timeline = new RunTimeline(executionArn);
    for (const event of events) timeline.apply(event);
    return timeline.run;
  }

  private enter(event: TimelineEvent, at: number, changes: TimelineChange[]): void {
    const d = details(event, 'stateEnteredEventDetails');
    const name = String(d.name ?? '');
    if (name === 'EnterEnvironment') {
      const item = parseJson(d.input) as { name?: unknown } | undefined;
      this.environment = typeof item?.name === 'string' ? item.name : null;
    }
    const stage = stageOf(name);
    // The pipeline routes a failure through Pass states named after it (RolloutFailed,
    // StorageTimedOut); a Fail state (EnvironmentFailed) ends the walk and judges no stage.
    const marksFailure = String(event.type) === 'PassStateEntered' && isFailureState(name);
    if (this.open && marksFailure && this.open.status !== StageStatus.Failed) {
      this.open.status = StageStatus.Failed;
      this.open.error ??= name;
    }
    if (this.open && this.open.stage === stage && this.open.environment === this.environment) return;
    // A Choice only decides whether a stage runs (ApprovalNeeded, MigrateNeeded): it starts nothing.
    if (stage === undefined || String(event.type) === 'ChoiceStateEntered') {
      this.close(at, changes);
      return;
    }
    this.close(at, changes);
    this.open = { environment: this.environment, stage, status: StageStatus.Running, startedAt: at };
    this.run.stages.push(this.open);
    changes.push({ kind: 'stage-started', stage: this.open });
  }

  private close(at: number, changes: TimelineChange[]): void {
    const stage = this.open;
    if (!stage) return;
    this.open = undefined;
    stage.endedAt = Math.max(stage.startedAt, Math.min(at, this.lastExitAt ?? at));
    if (stage.status !== StageStatus.Failed) stage.status = StageStatus.Succeeded;
    changes.push({ kind: 'stage-finished', stage });
  }
}

/** The stage's duration in ms (until `now` while it runs). */
export function stageDuration(stage: StageRecord, now: number): number {
  return Math.max(0, (stage.endedAt ?? now) - stage.startedAt);
}

function detailsKey(type: string): string {
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

function details(event: TimelineEvent, key: string): Record<string, unknown> {
  const value = event[key];
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function toMs(timestamp: number | Date | undefined): number {
  if (timestamp instanceof Date) return timestamp.getTime();
  return typeof timestamp === 'number' ? timestamp : 0;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Lambda invoke results wrap the function's answer in `Payload`. */
function resultOf(output: unknown): unknown {
  const parsed = parseJson(output);
  if (parsed && typeof parsed === 'object' && 'Payload' in parsed)
    return (parsed as { Payload: unknown }).Payload;
  return parsed;
}

function commitOf(input: unknown): RunCommit | undefined {
  const event = parseJson(input) as { detail?: Record<string, unknown> } | undefined;
  const d = event?.detail;
  if (!d || typeof d !== 'object') return undefined;
  const author = d.author && typeof d.author === 'object' ? (d.author as RunCommit['author']) : undefined;
  return {
    repository: str(d.repository ?? d.repositoryName),
    branch: str(d.branch ?? d.referenceName),
    commit: str(d.commit ?? d.commitId),
    message: str(d.message),
    author,
  };
}
