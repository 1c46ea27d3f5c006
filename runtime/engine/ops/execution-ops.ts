import { randomUUID } from 'node:crypto';
import { AwsApiError } from '../../api/aws-service.js';
import { ExecutionAbortedError } from '../../asl/errors/states-error.js';
import { HistoryCursor } from '../../asl/history/history-cursor.js';
import { MAX_PAYLOAD_BYTES, payloadBytes } from '../../asl/payload-text.js';
import { executionArn as buildExecutionArn, isValidResourceName, parseExecutionArn } from '../arns.js';
import type { EngineCore } from '../engine-core.js';
import { type ExecutionRecord, ExecutionStatus } from '../engine-model.js';
import { engineRecord } from '../engine-records.js';
import { LazyAbortController } from '../lazy-abort-controller.js';
import {
  asRequest,
  decodeNextToken,
  encodeNextToken,
  optionalEnum,
  optionalInteger,
  optionalString,
  requireString,
} from '../request-fields.js';
import { stateMachineArnField } from './state-machine-ops.js';

const seconds = (ms: number) => ms / 1000;
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

export function executionArnField(req: Record<string, unknown>): string {
  const arn = requireString(req, 'executionArn', 256);
  if (!parseExecutionArn(arn))
    throw new AwsApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${arn}'`);
  return arn;
}

export async function startExecution(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const smArn = stateMachineArnField(req);
  const name = optionalString(req, 'name', 80, 1) ?? randomUUID();
  const inputText = optionalString(req, 'input', MAX_PAYLOAD_BYTES) ?? '{}';
  optionalString(req, 'traceHeader', 256);
  if (!isValidResourceName(name)) throw new AwsApiError('InvalidName', `Invalid Name: '${name}'`);
  if (payloadBytes(inputText) > MAX_PAYLOAD_BYTES) {
    throw new AwsApiError(
      'ValidationException',
      `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to ${MAX_PAYLOAD_BYTES}`,
    );
  }
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (err) {
    throw new AwsApiError(
      'InvalidExecutionInput',
      `Invalid State Machine Execution Input: '${(err as Error).message}'`,
    );
  }
  const sm = core.stateMachine(smArn);
  const arn = buildExecutionArn(core.arn, sm.name, name);
  const existing = core.executions.get(arn);
  if (existing) {
    // StartExecution is idempotent for a running execution started with the same input; the
    // answer, like the first call's, waits until the start is durable.
    if (existing.inputText === inputText && existing.status === ExecutionStatus.Running) {
      if (existing.startWrite !== undefined) await existing.startWrite;
      return { executionArn: arn, startDate: seconds(existing.startDate) };
    }
    throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
  }
  const startDate = core.clock.now();
  const exec: ExecutionRecord = {
    executionArn: arn,
    stateMachineArn: sm.arn,
    name,
    inputText,
    definition: sm.current.definition,
    roleArn: sm.current.roleArn,
    startDate,
    status: ExecutionStatus.Running,
    // Every field set later is present from the start: the record keeps one shape with its fields
    // in the object itself, instead of growing a separate property store as the run ends.
    stopDate: undefined,
    outputText: undefined,
    error: undefined,
    cause: undefined,
    redriveCount: 0,
    redriveDate: undefined,
    redriveFrom: undefined,
    history: core.newHistory(arn),
    checkpoint: undefined,
    controller: new LazyAbortController(),
    done: Promise.resolve(),
    startWrite: undefined,
  };
  core.executions.set(arn, exec);
  const startWrite = core.append(engineRecord.executionStarted(exec, sm.current));
  exec.startWrite = startWrite;
  // The run starts while its record is on its way to disk: its first states overlap the fsync.
  // Nothing of it can be seen before the record is durable: this call answers only then, the API
  // treats the execution as absent until then (EngineCore.execution), and every event, listener
  // and side effect waits for its own events to be durable, which the log writes after this
  // record. A crash before then therefore leaves neither the record nor any event of the run.
  // The launch waits one turn, after the journal's group write has taken the record, so the
  // record's write is not held back by the run's first events.
  setImmediate(() => {
    if (!core.closed && core.executions.get(arn) === exec)
      core.launch(exec, { fresh: true, executionInput: input });
  });
  try {
    await startWrite;
  } catch (err) {
    abandonStart(core, exec);
    throw err;
  }
  exec.startWrite = undefined;
  return { executionArn: arn, startDate: seconds(startDate) };
}

/** The start never became durable: the run stops and records nothing more, and the name is free. */
function abandonStart(core: EngineCore, exec: ExecutionRecord): void {
  exec.status = ExecutionStatus.Aborted;
  exec.controller.abort(new ExecutionAbortedError('The execution could not be recorded'));
  core.executions.delete(exec.executionArn);
}

export async function stopExecution(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const arn = executionArnField(req);
  const error = optionalString(req, 'error', 256);
  const cause = optionalString(req, 'cause', 32768);
  const exec = core.execution(arn);
  if (exec.status !== ExecutionStatus.Running) {
    return { stopDate: seconds(exec.stopDate ?? core.clock.now()) };
  }
  exec.status = ExecutionStatus.Aborted;
  exec.error = error;
  exec.cause = cause;
  exec.stopDate = core.clock.now();
  exec.controller.abort(new ExecutionAbortedError());
  const cursor = new HistoryCursor(exec.history.events.length);
  await core.recordEnd(exec, cursor, 'ExecutionAborted', {
    executionAbortedEventDetails: {
      ...(error !== undefined ? { error } : {}),
      ...(cause !== undefined ? { cause } : {}),
    },
  });
  return { stopDate: seconds(exec.stopDate) };
}

function redriveStatus(exec: ExecutionRecord): { redriveStatus: string; redriveStatusReason?: string } {
  if (
    exec.status === ExecutionStatus.Failed ||
    exec.status === ExecutionStatus.TimedOut ||
    exec.status === ExecutionStatus.Aborted
  ) {
    return { redriveStatus: 'REDRIVABLE' };
  }
  return {
    redriveStatus: 'NOT_REDRIVABLE',
    redriveStatusReason: `Execution is ${exec.status} and cannot be redriven`,
  };
}

const TERMINAL_EVENTS: ReadonlySet<string> = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

/**
 * The execution as readers may see it. The runner sets the terminal status before it records the
 * final Execution* event, and an event is visible only once durable (see ExecutionHistory); until
 * that event is visible the execution still reads RUNNING, so a client that sees the end and then
 * reads the history always finds the final event there.
 */
function visible(exec: ExecutionRecord): ExecutionRecord {
  if (exec.status === ExecutionStatus.Running) return exec;
  const { events, durableCount } = exec.history;
  const last = events[durableCount - 1];
  if (last !== undefined && TERMINAL_EVENTS.has(last.type)) return exec;
  return {
    ...exec,
    status: ExecutionStatus.Running,
    stopDate: undefined,
    outputText: undefined,
    error: undefined,
    cause: undefined,
  };
}

export function describeExecution(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const exec = visible(core.execution(executionArnField(req)));
  return {
    executionArn: exec.executionArn,
    stateMachineArn: exec.stateMachineArn,
    name: exec.name,
    status: exec.status,
    startDate: seconds(exec.startDate),
    ...(exec.stopDate !== undefined ? { stopDate: seconds(exec.stopDate) } : {}),
    input: exec.inputText,
    inputDetails: { included: true },
    ...(exec.outputText !== undefined ? { output: exec.outputText, outputDetails: { included: true } } : {}),
    ...(exec.error !== undefined ? { error: exec.error } : {}),
    ...(exec.cause !== undefined ? { cause: exec.cause } : {}),
    redriveCount: exec.redriveCount,
    ...(exec.redriveDate !== undefined ? { redriveDate: seconds(exec.redriveDate) } : {}),
    ...redriveStatus(exec),
  };
}

export function listExecutions(core: EngineCore, body: unknown) {
  const req = asRequest(body);
  const smArn = stateMachineArnField(req);
  const statusFilter = optionalEnum(req, 'statusFilter', STATUSES);
  const maxResults = optionalInteger(req, 'maxResults', 0, 1000) || 100;
  const scope = `ListExecutions:${smArn}:${statusFilter ?? ''}`;
  const offset = decodeNextToken(optionalString(req, 'nextToken', 3096, 1), scope);
  core.stateMachine(smArn);
  // Newest first, as AWS lists them.
  const all = [...core.executions.values()]
    .filter((e) => e.startWrite === undefined)
    .map(visible)
    .filter((e) => e.stateMachineArn === smArn && (!statusFilter || e.status === statusFilter))
    .sort((a, b) => b.startDate - a.startDate || b.name.localeCompare(a.name));
  const page = all.slice(offset, offset + maxResults);
  return {
    executions: page.map((e) => ({
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: seconds(e.stopDate) } : {}),
      redriveCount: e.redriveCount,
      ...(e.redriveDate !== undefined ? { redriveDate: seconds(e.redriveDate) } : {}),
    })),
    ...(offset + maxResults < all.length ? { nextToken: encodeNextToken(offset + maxResults, scope) } : {}),
  };
}
