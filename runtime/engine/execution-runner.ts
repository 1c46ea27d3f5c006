import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, StatesError, StatesErrorName } from '../asl/errors/states-error.js';
import type { ContextObject } from '../asl/frame/context-object.js';
import type { ExecutionServices } from '../asl/frame/execution-services.js';
import { Frame } from '../asl/frame/frame.js';
import { HistoryCursor } from '../asl/history/history-cursor.js';
import {
  inputDetails,
  MAX_PAYLOAD_BYTES,
  outputDetails,
  payloadBytes,
  toPayloadText,
} from '../asl/payload-text.js';
import type { ProgramOutcome } from '../asl/program/states-block.js';
import type { LambdaInvoker } from '../asl/task/lambda-invoker.js';
import type { IntegrationRegistry } from '../asl/task/task-integration.js';
import { type ArnContext, mapRunArn } from './arns.js';
import type { EngineClock } from './clock.js';
import {
  type Checkpoint,
  type ExecutionRecord,
  ExecutionStatus,
  type StateMachineRecord,
} from './engine-model.js';
import type { CompiledMachine } from './program-cache.js';
import type { TaskTokenRegistry } from './task-token-registry.js';

export interface RunnerDeps {
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations: IntegrationRegistry;
  readonly tokens: TaskTokenRegistry;
  readonly arn: ArnContext;
  /** Persists the execution's terminal status. */
  readonly persistStatus: (exec: ExecutionRecord) => Promise<void>;
  /** Persists where the top-level program is, for recovery and redrive. */
  readonly persistCheckpoint: (exec: ExecutionRecord, checkpoint: Checkpoint) => Promise<void> | void;
}

/** Where to start a run: from the top, or (redrive) from a given state. */
export interface RunStart {
  readonly startAt?: string;
  readonly input?: unknown;
  readonly variables?: Record<string, unknown>;
  readonly sourceEventId?: number;
  readonly fresh: boolean;
}

/** Runs one execution to its terminal event, publishing every event through its history. */
export async function runExecution(
  exec: ExecutionRecord,
  stateMachine: Pick<StateMachineRecord, 'arn' | 'name'>,
  machine: CompiledMachine,
  deps: RunnerDeps,
  start: RunStart,
): Promise<void> {
  const { program } = machine;
  const services: ExecutionServices = {
    recorder: exec.history,
    clock: deps.clock,
    lambda: deps.lambda,
    integrations: deps.integrations,
    tokens: deps.tokens,
    signal: exec.controller.signal,
    region: deps.arn.region,
    accountId: deps.arn.accountId,
    executionArn: exec.executionArn,
    stateMachineArn: exec.stateMachineArn,
    newRequestId: () => randomUUID(),
    newMapRunArn: (label) => mapRunArn(deps.arn, stateMachine.name, label ?? randomUUID(), randomUUID()),
  };
  // Parsed once: payload values are never mutated in place (ResultPath and the rest build copies).
  const executionInput = JSON.parse(exec.inputText);
  const input = start.input ?? executionInput;
  const context: ContextObject = {
    Execution: {
      Id: exec.executionArn,
      Input: executionInput,
      StartTime: new Date(exec.startDate).toISOString(),
      Name: exec.name,
      RoleArn: exec.roleArn,
      RedriveCount: exec.redriveCount,
      ...(exec.redriveDate !== undefined ? { RedriveTime: new Date(exec.redriveDate).toISOString() } : {}),
    },
    StateMachine: { Id: stateMachine.arn, Name: stateMachine.name },
  };
  const frame = Frame.root(services, context, machine.queryLanguage);
  if (start.variables) frame.variables.assignAll(start.variables);
  if (start.sourceEventId !== undefined) {
    frame.cursor.sourceEventId = start.sourceEventId;
    frame.cursor.lastPublishedEventId = start.sourceEventId;
  }
  const cursor = frame.cursor;
  if (start.fresh) {
    await exec.history.add(cursor, 'ExecutionStarted', {
      executionStartedEventDetails: { ...inputDetails(exec.inputText), roleArn: exec.roleArn },
    });
    // The Execution events always chain from 0: AWS's first state event points at 0, not 1.
    cursor.sourceEventId = 0;
  }
  const timeout = armExecutionTimeout(exec, machine.timeoutSeconds, deps);
  let outcome: ProgramOutcome | undefined;
  try {
    outcome = await program.run(frame, input, {
      inputText: start.fresh && !start.startAt ? exec.inputText : undefined,
      startAt: start.startAt,
      onTransition: ({ frame: f, stateName, inputText }) => {
        if (f !== frame) return;
        // Replaying after a restart: this transition's checkpoint is already in the log.
        const replayed = exec.history.pending(f.cursor)[0];
        const checkpoint: Checkpoint = {
          stateName,
          inputText,
          variables: f.variables.ownEntries(),
          sourceEventId: f.cursor.sourceEventId,
          enteredEventId: replayed?.id ?? exec.history.events.length + 1,
        };
        if (replayed) exec.checkpoint = checkpoint;
        else return deps.persistCheckpoint(exec, checkpoint);
      },
    });
  } catch (thrown) {
    if (!(thrown instanceof ExecutionAbortedError || (thrown as Error)?.name === 'ExecutionAborted')) {
      outcome = {
        status: 'FAILED',
        error: new StatesError(StatesErrorName.Runtime, (thrown as Error).message),
      };
    }
  } finally {
    timeout?.cancel();
  }
  if (!outcome || exec.status !== ExecutionStatus.Running) return;
  await finish(exec, cursor, outcome, deps);
}

async function finish(
  exec: ExecutionRecord,
  cursor: HistoryCursor,
  outcome: ProgramOutcome,
  deps: RunnerDeps,
) {
  // The terminal status must not show before the events that led to it are durable.
  await exec.history.flushed();
  if (exec.status !== ExecutionStatus.Running) return;
  if (outcome.status === 'SUCCEEDED') {
    const text = toPayloadText(outcome.output);
    if (payloadBytes(text) > MAX_PAYLOAD_BYTES) {
      return finish(
        exec,
        cursor,
        {
          status: 'FAILED',
          error: new StatesError(
            StatesErrorName.DataLimitExceeded,
            'The state/task returned a result with a size exceeding the maximum number of bytes service limit.',
          ),
        },
        deps,
      );
    }
    exec.status = ExecutionStatus.Succeeded;
    exec.outputText = text;
    exec.stopDate = deps.clock.now();
    await exec.history.add(cursor, 'ExecutionSucceeded', {
      executionSucceededEventDetails: outputDetails(text),
    });
  } else {
    const { error } = outcome;
    exec.status = ExecutionStatus.Failed;
    exec.error = error.error || undefined;
    exec.cause = error.causeText;
    exec.stopDate = deps.clock.now();
    await exec.history.add(cursor, 'ExecutionFailed', {
      executionFailedEventDetails: {
        ...(exec.cause !== undefined ? { cause: exec.cause } : {}),
        ...(exec.error ? { error: exec.error } : {}),
      },
    });
  }
  exec.controller.abort(new ExecutionAbortedError('Execution finished'));
  await deps.persistStatus(exec);
}

/** Execution-level TimeoutSeconds: the run ends TIMED_OUT with ExecutionTimedOut. */
function armExecutionTimeout(exec: ExecutionRecord, seconds: number | undefined, deps: RunnerDeps) {
  if (typeof seconds !== 'number') return undefined;
  return deps.clock.setTimer(exec.startDate + seconds * 1000, () => {
    if (exec.status !== ExecutionStatus.Running) return;
    exec.status = ExecutionStatus.TimedOut;
    exec.error = StatesErrorName.Timeout;
    exec.stopDate = deps.clock.now();
    const cursor = new HistoryCursor(exec.history.events.length);
    exec.controller.abort(new ExecutionAbortedError('Execution timed out'));
    void exec.history
      .add(cursor, 'ExecutionTimedOut', { executionTimedOutEventDetails: { error: StatesErrorName.Timeout } })
      .then(() => deps.persistStatus(exec));
  });
}
