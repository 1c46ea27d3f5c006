import { Retrier, type RetrierDefinition } from '../errors/retrier.js';
import { type StatesError, toStatesError } from '../errors/states-error.js';
import type { ContextObject } from '../frame/context-object.js';
import type { ExecutionServices, InspectionStep } from '../frame/execution-services.js';
import { Frame } from '../frame/frame.js';
import { nextEventId } from '../history/history-cursor.js';
import type { HistoryRecorder } from '../history/history-event.js';
import { toPayloadText } from '../payload-text.js';
import { StateProgram } from '../program/state-program.js';
import { isQueryLanguage, QueryLanguage } from '../query/query-language.js';

/** AWS's TestExecutionStatus. */
export const TestStatus = {
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Retriable: 'RETRIABLE',
  CaughtError: 'CAUGHT_ERROR',
} as const;
export type TestStatus = (typeof TestStatus)[keyof typeof TestStatus];

export interface TestStateResult {
  readonly status: TestStatus;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly nextState?: string;
  /** Each data-processing step's value as JSON text, plus the input and the variables after. */
  readonly inspection: Partial<Record<InspectionStep | 'input' | 'variables', string>>;
}

/** A recorder that numbers events and keeps none: TestState runs outside any execution. */
const uncountedRecorder: HistoryRecorder = {
  add: async (cursor) => nextEventId(cursor),
  addStateEntered: async (cursor) => nextEventId(cursor),
  addStateExited: async (cursor) => nextEventId(cursor),
  pending: () => [],
};

/**
 * Runs one state once, through the same state classes as an execution, as AWS's TestState does:
 * a Retry that matches is reported (RETRIABLE) rather than waited for, a Catch that matches gives
 * CAUGHT_ERROR with the catcher's output and next state.
 */
export async function testOneState(request: {
  readonly stateName: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly input: unknown;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly queryLanguage?: string;
  readonly services: Omit<ExecutionServices, 'recorder' | 'inspect'>;
  readonly context: ContextObject;
}): Promise<TestStateResult> {
  const { Retry, ...withoutRetry } = request.state;
  const program = new StateProgram({
    StartAt: request.stateName,
    States: { [request.stateName]: withoutRetry },
  });
  const state = program.state(request.stateName);
  if (!state) throw new Error(`TestState: state '${request.stateName}' did not compile`);
  const inspection: Record<string, string> = { input: toPayloadText(request.input) };
  const services: ExecutionServices = {
    ...request.services,
    recorder: uncountedRecorder,
    inspect: (step, value) => {
      inspection[step] = toPayloadText(value);
    },
  };
  const language = isQueryLanguage(request.queryLanguage) ? request.queryLanguage : QueryLanguage.JSONPath;
  const frame = Frame.root(services, request.context, language);
  frame.variables.assignAll({ ...request.variables });
  let outcome: Awaited<ReturnType<typeof state.run>>;
  try {
    outcome = await state.run(frame, request.input);
  } catch (thrown) {
    outcome = { kind: 'failed', error: toStatesError(thrown) };
  }
  const failure =
    outcome.kind === 'failed' ? outcome.error : outcome.kind === 'next' ? outcome.caught : undefined;
  if (failure && retries(Retry, failure)) {
    return { status: TestStatus.Retriable, ...errorFields(failure), inspection };
  }
  inspection.variables = JSON.stringify(frame.variables.snapshot());
  if (outcome.kind === 'failed') {
    return { status: TestStatus.Failed, ...errorFields(outcome.error), inspection };
  }
  const output = toPayloadText(outcome.output);
  if (outcome.kind === 'end') return { status: TestStatus.Succeeded, output, inspection };
  return {
    status: outcome.caught ? TestStatus.CaughtError : TestStatus.Succeeded,
    output,
    nextState: outcome.next,
    ...(outcome.caught ? errorFields(outcome.caught) : {}),
    inspection,
  };
}

function retries(retry: unknown, error: StatesError): boolean {
  if (!Array.isArray(retry)) return false;
  // The first retrier whose ErrorEquals matches decides, as in an execution.
  const first = (retry as RetrierDefinition[]).map((r) => new Retrier(r)).find((r) => r.matches(error.error));
  return first !== undefined && first.nextDelayMs() !== undefined;
}

function errorFields(error: StatesError): { error: string; cause?: string } {
  return { error: error.error, ...(error.causeText !== undefined ? { cause: error.causeText } : {}) };
}
