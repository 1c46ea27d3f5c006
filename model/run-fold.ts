import { causePayload, extractEvidence, taskResult } from './evidence.js';
import { detailsOf, type EventDetails, eventTime, parseJson, type RunEvent } from './run-event.js';
import { commitFromInput } from './run-summary.js';
import {
  type ExecutionFacts,
  finishTimeline,
  type Scope,
  type StageView,
  type Timeline,
} from './run-timeline.js';
import { continuesThrough, stageDefinition } from './stage-catalogue.js';
import { stageOf } from './stage-of-state.js';

/**
 * The one fold from a run's history to its stages: the terminal progress, `tollgate show` and the
 * console all read a run through it. Stages before the environments (plan, build, register), one
 * lane per environment (a Map iteration) with its stages in order, and the stages after. It folds
 * one event at a time, so the terminal follows a live run without re-reading its history.
 */

const FAILURE_EVENTS = new Set([
  'TaskFailed',
  'TaskTimedOut',
  'TaskStartFailed',
  'TaskSubmitFailed',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionScheduleFailed',
  'LambdaFunctionStartFailed',
  'EvaluationFailed',
]);
const SUCCESS_EVENTS = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded']);
const SCHEDULE_EVENTS = new Set(['TaskScheduled', 'LambdaFunctionScheduled']);
const MAP_CLOSE = new Set(['MapStateSucceeded', 'MapStateFailed', 'MapStateAborted', 'MapStateExited']);
const END_EVENTS: Readonly<Record<string, ExecutionFacts['status']>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

const newScope = (prefix: string, env: Scope['env']): Scope => ({
  prefix,
  stages: new Map(),
  list: [],
  env,
  named: false,
  current: null,
  lastExit: new Map(),
  lastFailure: new Map(),
  openState: new Map(),
  waiting: new Set(),
  lastFailState: null,
  worked: new Set(),
});

export class RunFold {
  readonly execution: ExecutionFacts = {
    status: 'RUNNING',
    startedAt: null,
    stoppedAt: null,
    commit: null,
    output: null,
    error: null,
    cause: null,
  };
  private readonly top = newScope('', null);
  private readonly after = newScope('', null);
  private readonly scopes: Scope[] = [this.top];
  private readonly scopeOf = new Map<number, Scope>();
  private readonly openMaps: Array<{ name: string; scope: Scope }> = [];
  private readonly environments: Timeline['environments'] = [];
  private readonly stateStatus: Timeline['stateStatus'] = {};
  private mapSeen = false;
  private last: Scope = this.top;
  private lastTs = 0;
  private eventCount = 0;

  /** Folds a whole history (GetExecutionHistory order). */
  static timeline(events: Iterable<RunEvent>, options: { readonly now: number; readonly running?: boolean }) {
    const fold = new RunFold();
    for (const event of events) fold.apply(event);
    return fold.timeline(options);
  }

  /** The run so far; `running` defaults to whether the history has ended. */
  timeline(options: { readonly now: number; readonly running?: boolean }): Timeline {
    const running = options.running ?? this.execution.status === 'RUNNING';
    return finishTimeline(
      { before: this.top, scopes: this.scopes, after: this.after, environments: this.environments },
      { running, now: options.now, lastTs: this.lastTs },
      { stateStatus: this.stateStatus, eventCount: this.eventCount, execution: { ...this.execution } },
    );
  }

  apply(event: RunEvent): void {
    this.eventCount += 1;
    const type = String(event.type ?? '');
    const ts = eventTime(event.timestamp) ?? this.lastTs;
    this.lastTs = ts;
    const d = detailsOf(event);
    const scope = this.scopeFor(event, type, d, ts);
    if (type === 'ExecutionStarted') {
      this.execution.startedAt = ts;
      this.execution.commit = commitFromInput(d.input);
    } else if (type === 'ExecutionRedriven') {
      Object.assign(this.execution, { status: 'RUNNING', stoppedAt: null, error: null, cause: null });
    } else if (END_EVENTS[type]) {
      Object.assign(this.execution, {
        status: END_EVENTS[type],
        stoppedAt: ts,
        output: d.output === undefined ? null : (parseJson(d.output) ?? d.output),
        error: typeof d.error === 'string' ? d.error : null,
        cause: typeof d.cause === 'string' ? d.cause : null,
      });
    }
    if (type.endsWith('StateEntered')) this.enter(scope, type, d, ts);
    else this.record(scope, event, type, d, ts);
  }

  private scopeFor(event: RunEvent, type: string, d: EventDetails, ts: number): Scope {
    let scope: Scope;
    if (type === 'MapIterationStarted') {
      const parent = this.openMaps.at(-1)?.scope ?? this.top;
      const mapName = String(d.name ?? this.openMaps.at(-1)?.name ?? 'Map');
      const index = Number(d.index ?? 0);
      const env = {
        name: `${mapName} ${index + 1}`,
        index,
        status: 'running' as const,
        startedAt: ts,
        endedAt: null,
        durationMs: null,
        stages: [],
      };
      scope = newScope(`${parent.prefix}${mapName}/`, env);
      // Only the top-level Map's iterations are environments; nested ones stay inside their lane.
      if (parent === this.top || parent === this.after) this.environments.push(env);
      this.scopes.push(scope);
    } else if (MAP_CLOSE.has(type) || type === 'MapStateStarted') {
      scope = this.openMaps.at(-1)?.scope ?? this.top;
    } else {
      // Events of parallel iterations interleave; each follows the event it came from.
      scope = this.scopeOf.get(event.previousEventId ?? -1) ?? this.last;
    }
    if (this.mapSeen && scope === this.top) scope = this.after;
    if (event.id !== undefined) this.scopeOf.set(event.id, scope);
    this.last = scope;
    return scope;
  }

  private enter(scope: Scope, type: string, d: EventDetails, ts: number): void {
    const name = String(d.name ?? '');
    const stateType = type.slice(0, -'StateEntered'.length);
    // A Fail state has no exit event: entering it is its failure.
    this.stateStatus[`${scope.prefix}${name}`] = stateType === 'Fail' ? 'failed' : 'running';
    if (scope.env && !scope.named) {
      const item = parseJson(d.input) as { name?: unknown } | undefined;
      if (item && typeof item.name === 'string') scope.env.name = item.name;
      scope.named = true;
    }
    if (stateType === 'Map') {
      this.openMaps.push({ name, scope });
      if (scope === this.top) this.mapSeen = true;
    }
    const open = scope.current?.stage;
    const id = open && continuesThrough(open.stage, name) ? open.stage : stageOf(name, stateType);
    const stage = id ? stageIn(scope, id, ts) : null;
    if (stage) {
      if (!stage.states.includes(name)) stage.states.push(name);
      scope.openState.set(stage, true);
      if (stateType !== 'Choice' && stateType !== 'Pass') scope.worked.add(stage);
      if (stateType === 'Wait') stage.waited = true;
    }
    scope.current = { name, stage };
    if (stateType === 'Fail') scope.lastFailState = stage;
  }

  private record(scope: Scope, event: RunEvent, type: string, d: EventDetails, ts: number): void {
    const stage = scope.current?.stage ?? null;
    const stateId = scope.current ? `${scope.prefix}${scope.current.name}` : null;
    const openMap = this.openMaps.at(-1);
    if (type.endsWith('StateExited')) {
      if (stateId && this.stateStatus[stateId] !== 'failed') this.stateStatus[stateId] = 'succeeded';
      if (type === 'MapStateExited') this.openMaps.pop();
      if (stage) {
        stage.endedAt = ts;
        scope.lastExit.set(stage, Number(event.id ?? this.eventCount));
        scope.openState.set(stage, false);
        scope.waiting.delete(stage);
      }
    } else if (SCHEDULE_EVENTS.has(type)) {
      if (!stage) return;
      stage.attempts += 1;
      const approvers = approversOf(d.parameters);
      if (approvers) stage.approvers = approvers;
    } else if (type === 'TaskSubmitted') {
      if (stage) scope.waiting.add(stage);
    } else if (SUCCESS_EVENTS.has(type)) {
      if (stateId) this.stateStatus[stateId] = 'succeeded';
      if (stage) addEvidence(stage, extractEvidence(taskResult(d.output)));
    } else if (FAILURE_EVENTS.has(type)) {
      if (stateId) this.stateStatus[stateId] = 'failed';
      if (stage) {
        fail(stage, d.error, d.cause, ts);
        scope.lastFailure.set(stage, Number(event.id ?? this.eventCount));
        scope.waiting.delete(stage);
      }
    } else if (type === 'MapStateFailed' || type === 'MapStateAborted') {
      if (openMap) this.stateStatus[`${openMap.scope.prefix}${openMap.name}`] = 'failed';
    } else if (type === 'MapIterationSucceeded' && scope.env) {
      scope.env.status = 'succeeded';
      scope.env.endedAt = ts;
    } else if ((type === 'MapIterationFailed' || type === 'MapIterationAborted') && scope.env) {
      if (openMap) this.stateStatus[`${openMap.scope.prefix}${openMap.name}`] = 'failed';
      scope.env.status = type === 'MapIterationFailed' ? 'failed' : 'interrupted';
      scope.env.endedAt = ts;
      blame(scope, d.error, d.cause, ts, Number(event.id ?? this.eventCount));
    } else if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut') {
      const failure = parseJson(d.cause) as { environment?: unknown } | undefined;
      const env =
        typeof failure?.environment === 'string'
          ? this.scopes.find((s) => s.env?.name === failure.environment)
          : undefined;
      blame(env ?? scope, d.error, d.cause, ts, Number(event.id ?? this.eventCount));
    }
  }
}

function stageIn(scope: Scope, id: string, ts: number): StageView {
  let stage = scope.stages.get(id);
  if (!stage) {
    stage = {
      stage: id,
      states: [],
      status: 'running',
      startedAt: ts,
      endedAt: null,
      durationMs: null,
      attempts: 0,
      evidence: [],
      error: null,
    };
    scope.stages.set(id, stage);
    scope.list.push(stage);
    scope.env?.stages.push(stage);
  }
  return stage;
}

/** Who may decide a gate: the approval config the gate's task was called with (never its token). */
function approversOf(parameters: unknown): string[] | undefined {
  const payload = (parseJson(parameters) as { Payload?: { approval?: { approvers?: unknown } } } | undefined)
    ?.Payload;
  const approvers = payload?.approval?.approvers;
  return Array.isArray(approvers) ? approvers.map(String) : undefined;
}

function addEvidence(stage: StageView, found: StageView['evidence']): void {
  for (const item of found) {
    // A polled stage reports on every poll; the last report is the one that counts.
    stage.evidence = stage.evidence.filter((e) => e.kind !== item.kind);
    stage.evidence.push(item);
  }
}

function fail(stage: StageView, error: unknown, cause: unknown, ts: number): void {
  const payload = causePayload(cause);
  const message =
    payload &&
    typeof payload === 'object' &&
    typeof (payload as { errorMessage?: unknown }).errorMessage === 'string'
      ? (payload as { errorMessage: string }).errorMessage
      : typeof cause === 'string'
        ? cause
        : null;
  stage.error = {
    error: typeof error === 'string' ? error : 'Error',
    cause: message,
    raw: typeof cause === 'string' ? cause : null,
  };
  stage.endedAt = ts;
  addEvidence(stage, extractEvidence(payload));
}

/**
 * The pipeline's failure object (`{stage, environment, error, cause}`, the Cause of its Fail
 * states) names the stage that failed even when no task failed (a rollout that reported FAILED).
 */
function blame(scope: Scope, error: unknown, cause: unknown, ts: number, eventId: number): void {
  const failure = parseJson(cause) as { stage?: unknown; error?: unknown; cause?: unknown } | undefined;
  let stage: StageView | null | undefined;
  if (failure && typeof failure.stage === 'string') {
    const id = stageDefinition(failure.stage)
      ? failure.stage
      : (stageOf(failure.stage, 'Task') ?? failure.stage);
    stage = stageIn(scope, id, ts);
    if (stage.states.length === 0) stage.endedAt = ts;
    if (!stage.error) fail(stage, failure.error ?? error, failure.cause ?? cause, stage.endedAt ?? ts);
  } else {
    // Without the failure object, only a Fail state that belongs to a stage (e.g. a malformed
    // event) can be blamed, and only when the event names an error.
    stage = typeof error === 'string' ? scope.lastFailState : null;
    if (stage && !stage.error) fail(stage, error, cause, ts);
  }
  if (stage) scope.lastFailure.set(stage, eventId);
}
