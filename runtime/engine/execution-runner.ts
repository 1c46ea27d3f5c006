import { randomUUID } from 'node:crypto';
import type { MapObjectStore } from '../asl/distributed/map-objects.js';
import { ExecutionAbortedError, StatesError, StatesErrorName } from '../asl/errors/states-error.js';
import type { ContextObject } from '../asl/frame/context-object.js';
import type { ExecutionServices } from '../asl/frame/execution-services.js';
import { Frame } from '../asl/frame/frame.js';
import { HistoryCursor } from '../asl/history/history-cursor.js';
import { isoTimeCache } from '../asl/iso-time.js';
import {
  MAX_PAYLOAD_BYTES,
  NOT_TRUNCATED,
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
import type { MapRunRegistry } from './map-run-registry.js';
import type { CompiledMachine } from './program-cache.js';
import type { TaskTokenRegistry } from './task-token-registry.js';

export interface RunnerDeps {
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations: IntegrationRegistry;
  readonly tokens: TaskTokenRegistry;
  readonly arn: ArnContext;
  readonly mapRuns: MapRunRegistry;
  readonly objects: MapObjectStore | undefined;
  /** Records the execution's end (see EngineCore.recordEnd); its status is already set. */
  readonly recordEnd: (
    exec: ExecutionRecord,
    cursor: HistoryCursor,
    type: string,
    details: Record<string, unknown>,
  ) => Promise<void>;
}

// One reason for every normal end: building an Error per execution costs a stack capture.
const FINISHED = new ExecutionAbortedError('Execution finished');

/** Where to start a run: from the top, or (redrive) from a given state. */
export interface RunStart {
  readonly startAt?: string;
  readonly input?: unknown;
  /** The execution input already parsed (StartExecution parsed it to validate it). */
  readonly executionInput?: unknown;
  readonly variables?: Record<string, unknown>;
  readonly sourceEventId?: number;
  readonly fresh: boolean;
}

/**
 * What one run of an execution reaches outside the interpreter. A class rather than an object
 * literal: a literal with a getter is built on V8's slow path (about 2 µs each on Node 20, once per
 * execution), while `signal` here is a getter on the prototype. Code that copies the services with
 * a spread must therefore name `signal` itself (see distributed-map-run.ts).
 */
class RunServices implements ExecutionServices {
  readonly recorder: ExecutionServices['recorder'];
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations: IntegrationRegistry;
  readonly tokens: TaskTokenRegistry;
  readonly objects: MapObjectStore | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly newRequestId: () => string = randomUUID;
  readonly startMapRun: ExecutionServices['startMapRun'];
  // This run's controller (a redrive gives the next run its own), its signal built on first use.
  private readonly controller: ExecutionRecord['controller'];

  constructor(
    exec: ExecutionRecord,
    deps: RunnerDeps,
    stateMachine: Pick<StateMachineRecord, 'arn' | 'name'>,
  ) {
    this.recorder = exec.history;
    this.clock = deps.clock;
    this.lambda = deps.lambda;
    this.integrations = deps.integrations;
    this.tokens = deps.tokens;
    this.objects = deps.objects;
    this.region = deps.arn.region;
    this.accountId = deps.arn.accountId;
    this.executionArn = exec.executionArn;
    this.stateMachineArn = exec.stateMachineArn;
    this.controller = exec.controller;
    this.startMapRun = (start) => {
      const label = start.label ?? randomUUID();
      const ids = {
        mapRunArn: mapRunArn(deps.arn, stateMachine.name, label, randomUUID()),
        executionArn: exec.executionArn,
        stateMachineArn: `${stateMachine.arn}/${label}`,
      };
      return deps.mapRuns.start(ids, start, () => deps.clock.now());
    };
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }
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
  const services = new RunServices(exec, deps, stateMachine);
  // Parsed once: payload values are never mutated in place (ResultPath and the rest build copies).
  const executionInput = start.executionInput ?? JSON.parse(exec.inputText);
  const input = start.input ?? executionInput;
  const execution: ContextObject['Execution'] = {
    Id: exec.executionArn,
    Input: executionInput,
    StartTime: isoTime(exec.startDate),
    Name: exec.name,
    RoleArn: exec.roleArn,
    RedriveCount: exec.redriveCount,
  };
  // Assigned rather than spread in: a spread of a conditional object costs a copy per execution.
  if (exec.redriveDate !== undefined) execution.RedriveTime = new Date(exec.redriveDate).toISOString();
  const context: ContextObject = {
    Execution: execution,
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
      // One literal in AWS's key order: `{...inputDetails(text), roleArn}` (spread first, then a
      // key) takes V8's slow path on Node 20.
      executionStartedEventDetails: {
        input: exec.inputText,
        inputDetails: NOT_TRUNCATED,
        roleArn: exec.roleArn,
      },
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
        // Kept in memory only: it is written when the execution ends (recordEnd), the one time a
        // redrive can need it; a restart before that replays the run and rebuilds it here.
        const replayed = exec.history.pending(f.cursor)[0];
        const checkpoint: Checkpoint = {
          stateName,
          inputText,
          variables: f.variables.ownEntries(),
          sourceEventId: f.cursor.sourceEventId,
          enteredEventId: replayed?.id ?? exec.history.events.length + 1,
        };
        exec.checkpoint = checkpoint;
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
  // Readers see the terminal status only once its event is durable (see describeExecution), and the
  // store keeps order, so the end need not wait for the events before it.
  if (exec.status !== ExecutionStatus.Running) return;
  if (outcome.status === 'SUCCEEDED') {
    // The last state's Exited event holds the text already, compact unless it is the execution's
    // input handed through unchanged as the caller wrote it: only that one is serialised again.
    const given = outcome.outputText;
    const text = given !== undefined && given !== exec.inputText ? given : toPayloadText(outcome.output);
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
    // Only a redrive or a restart mid-run reads the checkpoint; a succeeded execution has neither,
    // and the API keeps it for its retention period, so it need not keep the checkpoint too.
    exec.checkpoint = undefined;
    await deps.recordEnd(exec, cursor, 'ExecutionSucceeded', {
      executionSucceededEventDetails: outputDetails(text),
    });
  } else {
    const { error } = outcome;
    exec.status = ExecutionStatus.Failed;
    exec.error = error.error || undefined;
    exec.cause = error.causeText;
    exec.stopDate = deps.clock.now();
    await deps.recordEnd(exec, cursor, 'ExecutionFailed', {
      executionFailedEventDetails: {
        ...(exec.cause !== undefined ? { cause: exec.cause } : {}),
        ...(exec.error ? { error: exec.error } : {}),
      },
    });
  }
  exec.controller.abort(FINISHED);
}

const isoTime = isoTimeCache();

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
    void deps.recordEnd(exec, cursor, 'ExecutionTimedOut', {
      executionTimedOutEventDetails: { error: StatesErrorName.Timeout },
    });
  });
}
