import type { HistoryEvent } from '../asl/history/history-event.js';
import type { StoreRecord } from '../store/engine-store.js';
import type { EngineCore } from './engine-core.js';
import {
  type ExecutionRecord,
  ExecutionStatus,
  type StateMachineRecord,
  type StateMachineVersion,
} from './engine-model.js';
import type { Checkpoint } from './execution-runner.js';
import { continueAfterExit } from './resume-point.js';
import type { TokenOutcome, TokenRecord } from './task-token-registry.js';

/**
 * Rebuilds the engine from its log, then resumes every execution that was running: it continues
 * inside the top-level state it was in (a Wait keeps its original due time, a pending task token
 * stays valid and its request is not sent again, a task that was in flight is invoked again —
 * at-least-once, as on AWS).
 *
 * Known limit: checkpoints are top-level only. A Map or Parallel that was running is resumed by
 * running it again from its input: iterations and branches that had finished run again (their
 * Lambdas are invoked again, their events are recorded a second time after the ones already in
 * the history), and a task token issued inside an iteration is replaced by a new one.
 */
export async function recoverFromStore(core: EngineCore): Promise<void> {
  const tokens: ReplayedTokens = { pending: new Map(), settled: new Map(), known: new Map() };
  let records = 0;
  for await (const record of core.options.store.replay()) {
    apply(core, record, tokens);
    records += 1;
  }
  for (const token of tokens.pending.values()) {
    const exec = core.executions.get(token.executionArn);
    if (exec?.status === ExecutionStatus.Running) {
      core.tokens.restore(token, submittedAfter(exec, token.enteredEventId));
    } else {
      core.tokens.markFinished(token.token, token);
    }
  }
  for (const { record, outcome } of tokens.settled.values()) {
    // A send acknowledged before the crash whose task had not finished: it is handed to the task
    // when it resumes, but only if the execution is still inside that very task state.
    const exec = core.executions.get(record.executionArn);
    const ckpt = exec?.checkpoint;
    if (
      exec?.status === ExecutionStatus.Running &&
      ckpt?.stateName === record.stateName &&
      ckpt.enteredEventId === record.enteredEventId &&
      !taskSettledAfter(exec, ckpt.enteredEventId)
    ) {
      core.tokens.restore(record, { outcome, ...submittedAfter(exec, ckpt.enteredEventId) });
    }
  }
  // Before anything resumes, so the compacted log is exactly what was just replayed.
  await core.compactor.afterReplay(records);
  for (const exec of core.executions.values()) {
    if (exec.status === ExecutionStatus.Running) resume(core, exec);
  }
}

interface ReplayedTokens {
  /** Issued and not settled. */
  readonly pending: Map<string, TokenRecord>;
  /** Settled with an outcome recorded (logs from older engines record none). */
  readonly settled: Map<string, { record: TokenRecord; outcome: TokenOutcome }>;
  /** Every token record seen, so a token-done can name its execution and state. */
  readonly known: Map<string, TokenRecord>;
}

/**
 * Whether the token's request went out before the restart (logs without the id: assume not), and
 * when that attempt was scheduled. Only the latest attempt counts: under Retry an earlier attempt
 * may have been submitted too.
 */
function submittedAfter(
  exec: ExecutionRecord,
  enteredEventId: number | undefined,
): { submitted: boolean; scheduledAt?: number } {
  if (enteredEventId === undefined) return { submitted: false };
  let submitted = false;
  let scheduledAt: number | undefined;
  for (const e of exec.history.events) {
    if (e.id <= enteredEventId) continue;
    if (e.type === 'TaskScheduled') {
      submitted = false;
      scheduledAt = e.timestamp;
    } else if (e.type === 'TaskSubmitted') submitted = true;
  }
  return submitted ? { submitted, scheduledAt } : { submitted: false };
}

/** True when the task already recorded its result after it was entered. */
function taskSettledAfter(exec: ExecutionRecord, enteredEventId: number): boolean {
  return exec.history.events.some(
    (e) => e.id > enteredEventId && /^Task(Succeeded|Failed|TimedOut)$/.test(e.type),
  );
}

function apply(core: EngineCore, r: StoreRecord, tokens: ReplayedTokens): void {
  switch (r.t) {
    case 'sm': {
      const sm: StateMachineRecord = {
        arn: r.arn as string,
        name: r.name as string,
        type: r.type as 'STANDARD' | 'EXPRESS',
        creationDate: r.creationDate as number,
        current: r.current as StateMachineVersion,
        // Logs written before these fields were recorded fall back to CreateStateMachine's defaults.
        loggingConfiguration: r.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: r.tracingConfiguration ?? { enabled: false },
        description: r.description as string | undefined,
        deleting: false,
      };
      core.stateMachines.set(sm.arn, sm);
      return;
    }
    case 'sm-update': {
      const sm = core.stateMachines.get(r.arn as string);
      if (sm) sm.current = r.current as StateMachineVersion;
      return;
    }
    case 'sm-del': {
      const sm = core.stateMachines.get(r.arn as string);
      if (sm) sm.deleting = true;
      return;
    }
    case 'exec': {
      const arn = r.x as string;
      const exec: ExecutionRecord = {
        executionArn: arn,
        stateMachineArn: r.sm as string,
        name: r.name as string,
        inputText: r.inputText as string,
        definition: r.definition as string,
        roleArn: r.roleArn as string,
        startDate: r.startDate as number,
        status: ExecutionStatus.Running,
        redriveCount: 0,
        history: core.newHistory(arn),
        controller: new AbortController(),
        done: Promise.resolve(),
      };
      core.executions.set(arn, exec);
      return;
    }
    case 'ev':
      core.executions.get(r.x as string)?.history.restore(r.e as unknown as HistoryEvent);
      return;
    case 'evs': {
      // A batch of events written by compaction.
      const history = core.executions.get(r.x as string)?.history;
      if (history) for (const event of r.e as HistoryEvent[]) history.restore(event);
      return;
    }
    case 'ckpt': {
      const exec = core.executions.get(r.x as string);
      if (exec) {
        const { t: _t, x: _x, ...checkpoint } = r;
        exec.checkpoint = checkpoint as unknown as Checkpoint;
      }
      return;
    }
    case 'exec-status': {
      const exec = core.executions.get(r.x as string);
      if (!exec) return;
      exec.status = r.status as ExecutionRecord['status'];
      exec.stopDate = r.stopDate as number | undefined;
      exec.outputText = r.outputText as string | undefined;
      exec.error = r.error as string | undefined;
      exec.cause = r.cause as string | undefined;
      return;
    }
    case 'redrive': {
      const exec = core.executions.get(r.x as string);
      if (!exec) return;
      exec.status = ExecutionStatus.Running;
      exec.redriveCount = r.redriveCount as number;
      exec.redriveDate = r.redriveDate as number;
      exec.stopDate = undefined;
      exec.error = undefined;
      exec.cause = undefined;
      exec.outputText = undefined;
      return;
    }
    case 'token': {
      const { t: _t, ...record } = r;
      tokens.pending.set(r.token as string, record as unknown as TokenRecord);
      tokens.known.set(r.token as string, record as unknown as TokenRecord);
      return;
    }
    case 'token-done': {
      const token = r.token as string;
      const record = tokens.known.get(token);
      tokens.pending.delete(token);
      core.tokens.markFinished(token, record);
      if (record && r.outcome) tokens.settled.set(token, { record, outcome: r.outcome as TokenOutcome });
      return;
    }
    default:
      // Records from a newer engine version are skipped rather than guessed at.
      return;
  }
}

function resume(core: EngineCore, exec: ExecutionRecord): void {
  const events = exec.history.events;
  // The last Execution* event decides: a redriven run has its earlier ExecutionFailed before it.
  const last = events.findLast((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut|Redriven)$/.test(e.type));
  const terminal = last && last.type !== 'ExecutionRedriven' ? last : undefined;
  if (terminal) {
    // The terminal event was durable but the status record was not: settle from the event.
    settleFromEvent(core, exec, terminal);
    return;
  }
  const ckpt = exec.checkpoint;
  if (!ckpt) {
    // Crashed between ExecutionStarted and the first transition: start the program again.
    const started = events.some((e) => e.type === 'ExecutionStarted');
    core.launch(exec, { fresh: !started, sourceEventId: started ? 0 : undefined });
    return;
  }
  const entered = events.find((e) => e.id === ckpt.enteredEventId && e.type.endsWith('StateEntered'));
  const afterExit = entered && continueAfterExit(exec, ckpt, entered);
  if (afterExit) {
    core.launch(exec, afterExit);
    return;
  }
  core.launch(exec, {
    fresh: false,
    startAt: ckpt.stateName,
    input: JSON.parse(ckpt.inputText),
    variables: ckpt.variables,
    sourceEventId: entered ? events[events.length - 1].id : ckpt.sourceEventId,
    resumeEntered: entered
      ? {
          enteredEventId: entered.id,
          enteredPreviousEventId: entered.previousEventId,
          enteredTime: entered.timestamp,
        }
      : undefined,
  });
}

function settleFromEvent(core: EngineCore, exec: ExecutionRecord, event: HistoryEvent): void {
  const details = (Object.entries(event).find(([k]) => k.endsWith('EventDetails'))?.[1] ?? {}) as Record<
    string,
    unknown
  >;
  exec.status = {
    ExecutionSucceeded: ExecutionStatus.Succeeded,
    ExecutionFailed: ExecutionStatus.Failed,
    ExecutionAborted: ExecutionStatus.Aborted,
    ExecutionTimedOut: ExecutionStatus.TimedOut,
  }[event.type as 'ExecutionSucceeded']!;
  exec.stopDate = event.timestamp;
  exec.outputText = details.output as string | undefined;
  exec.error = details.error as string | undefined;
  exec.cause = details.cause as string | undefined;
  void core;
}
