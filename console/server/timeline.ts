import { causePayload, type Evidence, extractEvidence, taskResult } from '../../model/evidence.js';
import { stageOf } from '../../model/stage-catalogue.js';
import { parseJson, redact } from './redact.js';
import { toMs, type WireHistoryEvent } from './sfn-api.js';

/**
 * The run as people follow it: stages before the environments (plan, build, register), one lane
 * per environment (a Map iteration) with its stages in order, and the stages after. Built from the
 * raw history alone, so it works the same against the local engine and AWS.
 */
/** `skipped`: only the stage's Choice/Pass states ran (no gate configured, no refresh for prod). */
export type StageStatus = 'succeeded' | 'failed' | 'running' | 'waiting' | 'interrupted' | 'skipped';
export type NodeStatus = 'succeeded' | 'failed' | 'running';

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
  error: { error: string; cause: string | null } | null;
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
  /** Graph node id (see graph-model) → how that state fared in this run. */
  readonly stateStatus: Record<string, NodeStatus>;
  readonly eventCount: number;
}

interface Scope {
  readonly prefix: string;
  readonly stages: Map<string, StageView>;
  readonly list: StageView[];
  env: EnvironmentView | null;
  named: boolean;
  current: { name: string; stage: StageView | null } | null;
  lastExit: Map<StageView, number>;
  lastFailure: Map<StageView, number>;
  openState: Map<StageView, boolean>;
  waiting: Set<StageView>;
  lastFailState: StageView | null;
  /** Stages that entered a state doing work (anything but Choice and Pass). */
  worked: Set<StageView>;
}

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

const newScope = (prefix: string, env: EnvironmentView | null): Scope => ({
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

// biome-ignore lint/suspicious/noExplicitAny: event details are untyped JSON; each field is checked where read
type Details = Record<string, any>;

function detailsOf(event: WireHistoryEvent): Details {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') return value as Details;
  }
  return {};
}

export function buildTimeline(
  events: readonly WireHistoryEvent[],
  options: { readonly running: boolean; readonly now: number },
): Timeline {
  const top = newScope('', null);
  const after = newScope('', null);
  const scopes: Scope[] = [top];
  const scopeOf = new Map<number, Scope>();
  const openMaps: Array<{ name: string; scope: Scope }> = [];
  const environments: EnvironmentView[] = [];
  const stateStatus: Record<string, NodeStatus> = {};
  let mapSeen = false;
  let last: Scope = top;
  let lastTs = 0;

  for (const event of events) {
    const ts = toMs(event.timestamp) ?? lastTs;
    lastTs = ts;
    const d = detailsOf(event);
    let scope: Scope;
    if (event.type === 'MapIterationStarted') {
      const parent = openMaps.at(-1)?.scope ?? top;
      const mapName = String(d.name ?? openMaps.at(-1)?.name ?? 'Map');
      const index = Number(d.index ?? 0);
      const env: EnvironmentView = {
        name: `${mapName} ${index + 1}`,
        index,
        status: 'running',
        startedAt: ts,
        endedAt: null,
        durationMs: null,
        stages: [],
      };
      scope = newScope(`${parent.prefix}${mapName}/`, env);
      // Only the top-level Map's iterations are environments; nested ones stay inside their lane.
      if (parent === top || parent === after) environments.push(env);
      scopes.push(scope);
    } else if (MAP_CLOSE.has(event.type) || event.type === 'MapStateStarted') {
      scope = openMaps.at(-1)?.scope ?? top;
    } else {
      scope = scopeOf.get(event.previousEventId ?? -1) ?? last;
    }
    if (mapSeen && scope === top) scope = after;
    scopeOf.set(event.id, scope);
    last = scope;

    if (event.type.endsWith('StateEntered')) {
      const name = String(d.name ?? '');
      const stateType = event.type.slice(0, -'StateEntered'.length);
      const stateId = `${scope.prefix}${name}`;
      // A Fail state has no exit event: entering it is its failure.
      stateStatus[stateId] = stateType === 'Fail' ? 'failed' : 'running';
      if (scope.env && !scope.named) {
        const item = parseJson(d.input) as { name?: unknown } | undefined;
        if (item && typeof item.name === 'string') scope.env.name = item.name;
        scope.named = true;
      }
      if (stateType === 'Map') {
        openMaps.push({ name, scope });
        if (scope === top) mapSeen = true;
      }
      const label = stageOf(name, stateType);
      let stage: StageView | null = null;
      if (label) {
        stage = scope.stages.get(label) ?? null;
        if (!stage) {
          stage = {
            stage: label,
            states: [],
            status: 'running',
            startedAt: ts,
            endedAt: null,
            durationMs: null,
            attempts: 0,
            evidence: [],
            error: null,
          };
          scope.stages.set(label, stage);
          scope.list.push(stage);
          scope.env?.stages.push(stage);
        }
        if (!stage.states.includes(name)) stage.states.push(name);
        scope.openState.set(stage, true);
        if (stateType !== 'Choice' && stateType !== 'Pass') scope.worked.add(stage);
      }
      scope.current = { name, stage };
      if (stateType === 'Fail') scope.lastFailState = stage;
      continue;
    }
    const stage = scope.current?.stage ?? null;
    const stateId = scope.current ? `${scope.prefix}${scope.current.name}` : null;
    if (event.type.endsWith('StateExited')) {
      if (stateId && stateStatus[stateId] !== 'failed') stateStatus[stateId] = 'succeeded';
      if (event.type === 'MapStateExited') openMaps.pop();
      if (stage) {
        stage.endedAt = ts;
        scope.lastExit.set(stage, event.id);
        scope.openState.set(stage, false);
        scope.waiting.delete(stage);
      }
    } else if (SCHEDULE_EVENTS.has(event.type)) {
      if (stage) stage.attempts += 1;
    } else if (event.type === 'TaskSubmitted') {
      if (stage) scope.waiting.add(stage);
    } else if (SUCCESS_EVENTS.has(event.type)) {
      if (stateId) stateStatus[stateId] = 'succeeded';
      if (stage) addEvidence(stage, extractEvidence(taskResult(d.output)));
    } else if (FAILURE_EVENTS.has(event.type)) {
      if (stateId) stateStatus[stateId] = 'failed';
      if (stage) {
        fail(stage, d.error, d.cause, ts);
        scope.lastFailure.set(stage, event.id);
        scope.waiting.delete(stage);
      }
    } else if (event.type === 'MapStateFailed' || event.type === 'MapStateAborted') {
      const map = openMaps.at(-1);
      if (map) stateStatus[`${map.scope.prefix}${map.name}`] = 'failed';
    } else if (event.type === 'MapIterationSucceeded' && scope.env) {
      scope.env.status = 'succeeded';
      scope.env.endedAt = ts;
    } else if ((event.type === 'MapIterationFailed' || event.type === 'MapIterationAborted') && scope.env) {
      const map = openMaps.at(-1);
      if (map) stateStatus[`${map.scope.prefix}${map.name}`] = 'failed';
      scope.env.status = event.type === 'MapIterationFailed' ? 'failed' : 'interrupted';
      scope.env.endedAt = ts;
      blame(scope, d.error, d.cause, ts, event.id);
    } else if (event.type === 'ExecutionFailed' || event.type === 'ExecutionTimedOut') {
      const failure = parseJson(d.cause) as { environment?: unknown } | undefined;
      const env =
        typeof failure?.environment === 'string'
          ? scopes.find((s) => s.env?.name === failure.environment)
          : undefined;
      blame(env ?? scope, d.error, d.cause, ts, event.id);
    }
  }

  for (const scope of [...scopes, after]) {
    for (const stage of scope.list) {
      const failedAt = scope.lastFailure.get(stage) ?? -1;
      const exitedAt = scope.lastExit.get(stage) ?? -1;
      if (failedAt > exitedAt || (stage.error && failedAt >= 0)) stage.status = 'failed';
      else if (scope.openState.get(stage)) {
        stage.status = options.running ? (scope.waiting.has(stage) ? 'waiting' : 'running') : 'interrupted';
      } else {
        // Inside an environment, a stage that only took its Choice's "not needed" branch was
        // skipped; outside, Pass states do real work (Normalize shapes the event).
        stage.status = scope.env && !scope.worked.has(stage) ? 'skipped' : 'succeeded';
      }
      const end = stage.endedAt ?? (options.running ? options.now : lastTs);
      stage.durationMs = Math.max(0, end - stage.startedAt);
    }
    if (scope.env) {
      if (scope.env.status === 'running' && !options.running) scope.env.status = 'interrupted';
      const end = scope.env.endedAt ?? (options.running ? options.now : lastTs);
      scope.env.durationMs = Math.max(0, end - scope.env.startedAt);
    }
  }
  return { before: top.list, environments, after: after.list, stateStatus, eventCount: events.length };
}

function addEvidence(stage: StageView, found: Evidence[]): void {
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
    cause: message === null ? null : redact(message),
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
    const label = stageOf(failure.stage, 'Task') ?? failure.stage;
    stage = scope.stages.get(label);
    if (!stage) {
      stage = {
        stage: label,
        states: [],
        status: 'failed',
        startedAt: ts,
        endedAt: ts,
        durationMs: 0,
        attempts: 0,
        evidence: [],
        error: null,
      };
      scope.stages.set(label, stage);
      scope.list.push(stage);
      scope.env?.stages.push(stage);
    }
    if (!stage.error) fail(stage, failure.error ?? error, failure.cause ?? cause, stage.endedAt ?? ts);
  } else {
    // Without the failure object, only a Fail state that belongs to a stage (e.g. a malformed
    // event) can be blamed, and only when the event names an error.
    stage = typeof error === 'string' ? scope.lastFailState : null;
    if (stage && !stage.error) fail(stage, error, cause, ts);
  }
  if (stage) scope.lastFailure.set(stage, eventId);
}
