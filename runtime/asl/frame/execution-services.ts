import type { EngineClock } from '../../engine/clock.js';
import type { MapObjectStore } from '../distributed/map-objects.js';
import type { MapRunStarter } from '../distributed/map-run.js';
import type { HistoryRecorder } from '../history/history-event.js';
import type { LambdaInvoker } from '../task/lambda-invoker.js';
import type { IntegrationRegistry } from '../task/task-integration.js';
import type { TaskTokenBroker } from '../task/task-token-broker.js';

/** Everything a running execution reaches outside the interpreter; injected, never looked up. */
export interface ExecutionServices {
  readonly recorder: HistoryRecorder;
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations: IntegrationRegistry;
  readonly tokens: TaskTokenBroker;
  /** Aborted when the execution is stopped or times out. */
  readonly signal: AbortSignal;
  /**
   * Set inside a Map or Parallel attempt (StoppableWork): the same signal, read between states to
   * stop a branch. Absent at the top level, where reading `signal` would build it for nothing.
   */
  readonly workSignal?: AbortSignal;
  readonly region: string;
  readonly accountId: string;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  newRequestId(): string;
  /** Starts the Map Run of a distributed Map state (its ARN, its counts for DescribeMapRun). */
  readonly startMapRun: MapRunStarter;
  /** Where a distributed Map's ItemReader reads and its ResultWriter writes; absent: neither works. */
  readonly objects?: MapObjectStore;
  /** TestState's inspection: each data-processing step's value as it is computed; absent in executions. */
  readonly inspect?: (step: InspectionStep, value: unknown) => void;
}

/** The data-processing steps TestState reports at inspection level DEBUG (AWS's InspectionData). */
export type InspectionStep =
  | 'afterInputPath'
  | 'afterParameters'
  | 'afterArguments'
  | 'result'
  | 'afterResultSelector'
  | 'afterResultPath';
