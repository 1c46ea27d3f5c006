import { AwsApiError, type AwsJsonService } from '../api/aws-service.js';
import { ExecutionAbortedError } from '../asl/errors/states-error.js';
import { EngineCore, type EngineOptions } from './engine-core.js';
import { ExecutionStatus } from './engine-model.js';
import type { EventListener } from './execution-history.js';
import { describeExecution, listExecutions, startExecution, stopExecution } from './ops/execution-ops.js';
import { getExecutionHistory } from './ops/history-ops.js';
import { describeMapRun, listMapRuns } from './ops/map-run-ops.js';
import { redriveExecution } from './ops/redrive-ops.js';
import {
  createStateMachine,
  deleteStateMachine,
  describeStateMachine,
  listStateMachines,
  updateStateMachine,
  validateStateMachineDefinition,
} from './ops/state-machine-ops.js';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './ops/task-token-ops.js';
import { testState } from './ops/test-state-ops.js';
import { recoverFromStore } from './recovery.js';

export type { EngineOptions } from './engine-core.js';

export interface Engine {
  /** `AWSStepFunctions.*` over AWS JSON 1.0, for the HTTP server. */
  readonly service: AwsJsonService;
  /** Replays the store: rebuilds state machines and histories and resumes open executions. */
  start(): Promise<void>;
  /** Stops timers and in-flight work (without recording anything) and closes the store, if any. */
  close(): Promise<void>;
  /**
   * Rewrites the store down to what is live now (also done on its own as the log grows, and at
   * start-up when the replayed log is mostly dead weight). In memory mode (no store) it only drops
   * executions past their retention.
   */
  compact(): Promise<void>;
  /** Follows history live; returns an unsubscribe function. */
  onEvent(listener: EventListener): () => void;
}

type Operation = (core: EngineCore, body: unknown) => unknown;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateStateMachine: createStateMachine,
  UpdateStateMachine: updateStateMachine,
  DescribeStateMachine: describeStateMachine,
  ListStateMachines: listStateMachines,
  DeleteStateMachine: deleteStateMachine,
  ValidateStateMachineDefinition: validateStateMachineDefinition,
  TestState: testState,
  StartExecution: startExecution,
  StopExecution: stopExecution,
  DescribeExecution: describeExecution,
  ListExecutions: listExecutions,
  GetExecutionHistory: getExecutionHistory,
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
  RedriveExecution: redriveExecution,
  DescribeMapRun: describeMapRun,
  ListMapRuns: listMapRuns,
};

export function createEngine(options: EngineOptions): Engine {
  if (!options?.clock || !options.lambda) {
    throw new TypeError('createEngine: clock and lambda are required');
  }
  const core = new EngineCore(options);
  let started = false;
  const service: AwsJsonService = {
    targetPrefix: 'AWSStepFunctions',
    async dispatch(operation: string, request: unknown): Promise<unknown> {
      const op = OPERATIONS[operation];
      if (!op) throw new AwsApiError('UnknownOperationException', `Unknown operation ${operation}`);
      if (core.closed) throw new AwsApiError('ServiceUnavailable', 'The engine is shutting down', 503);
      if (!started) throw new AwsApiError('ServiceUnavailable', 'The engine has not been started', 503);
      return op(core, request ?? {});
    },
  };
  return {
    service,
    async start() {
      if (started) return;
      await recoverFromStore(core);
      started = true;
    },
    async close() {
      core.closed = true;
      for (const exec of core.executions.values()) {
        if (exec.status === ExecutionStatus.Running)
          exec.controller.abort(new ExecutionAbortedError('Engine closed'));
      }
      await Promise.allSettled([...core.executions.values()].map((e) => e.done));
      await core.journal.close();
    },
    compact() {
      if (!started || core.closed) {
        return Promise.reject(new Error('compact: the engine is not running (start it first)'));
      }
      return core.journal.compactNow();
    },
    onEvent(listener) {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
  };
}
