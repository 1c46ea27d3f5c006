import { randomUUID } from 'node:crypto';
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
import type { TokenRecord } from './task-token-registry.js';

/**
 * Rebuilds the engine from its log, then resumes every execution that was running: it continues
 * inside the top-level state it was in (a Wait keeps its original due time, a pending task token
 * stays valid, a task that was in flight is invoked again — at-least-once, as on AWS).
 */
export async function recoverFromStore(core: EngineCore): Promise<void> {
  const tokens = new Map<string, TokenRecord>();
  for await (const record of core.options.store.replay()) apply(core, record, tokens);
  for (const token of tokens.values()) {
    const exec = core.executions.get(token.executionArn);
    if (exec?.status === ExecutionStatus.Running) core.tokens.restore(token);
    else core.tokens.markFinished(token.token);
  }
  for (const exec of core.executions.values()) {
    if (exec.status === ExecutionStatus.Running) resume(core, exec);
  }
}

function apply(core: EngineCore, r: StoreRecord, tokens: Map<string, TokenRecord>): void {
  switch (r.t) {
    case 'sm': {
      const sm: StateMachineRecord = {
        arn: r.arn as string,
        name: r.name as string,
        type: r.type as 'STANDARD' | 'EXPRESS',
        creationDate: r.creationDate as number,
        current: r.current as StateMachineVersion,
        loggingConfiguration: { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: { enabled: false },
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
    case 'token':
      tokens.set(r.token as string, r as unknown as TokenRecord);
      return;
    case 'token-done':
      tokens.delete(r.token as string);
      core.tokens.markFinished(r.token as string);
      return;
    default:
      // Records from a newer engine version are skipped rather than guessed at.
      return;
  }
}

function resume(core: EngineCore, exec: ExecutionRecord): void {
  const events = exec.history.events;
  const terminal = events.find((e) => /^Execution(Succeeded|Failed|Aborted|TimedOut)$/.test(e.type));
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
  void randomUUID;
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
