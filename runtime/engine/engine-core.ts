import { AwsApiError } from '../api/aws-service.js';
import type { HistoryEvent } from '../asl/history/history-event.js';
import type { LambdaInvoker } from '../asl/task/lambda-invoker.js';
import type { IntegrationRegistry } from '../asl/task/task-integration.js';
import type { EngineStore } from '../store/engine-store.js';
import type { ArnContext } from './arns.js';
import type { EngineClock } from './clock.js';
import { type CompactionOptions, Compactor, validateCompactionOptions } from './compaction.js';
import {
  type Checkpoint,
  type ExecutionRecord,
  ExecutionStatus,
  type StateMachineRecord,
} from './engine-model.js';
import { type EngineRecord, engineRecord } from './engine-records.js';
import { type EventListener, ExecutionHistory } from './execution-history.js';
import { type RunStart, runExecution } from './execution-runner.js';
import { TaskTokenRegistry } from './task-token-registry.js';

export interface EngineOptions {
  readonly store: EngineStore;
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations?: IntegrationRegistry;
  readonly region?: string;
  readonly accountId?: string;
  /** When the log is rewritten down to what is live; see compaction.ts. */
  readonly compaction?: CompactionOptions;
}

/** The engine's in-memory state plus the few operations every API handler shares. */
export class EngineCore {
  readonly stateMachines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  readonly listeners = new Set<EventListener>();
  readonly tokens: TaskTokenRegistry;
  readonly arn: ArnContext;
  readonly compactor: Compactor;
  closed = false;

  constructor(readonly options: EngineOptions) {
    this.arn = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' };
    this.tokens = new TaskTokenRegistry(options.clock, (r) => this.append(r));
    this.compactor = new Compactor(options.store, this, validateCompactionOptions(options.compaction), () =>
      options.clock.now(),
    );
  }

  get clock(): EngineClock {
    return this.options.clock;
  }

  async append(...records: EngineRecord[]): Promise<void> {
    const written = this.options.store.append(records);
    this.compactor.noteAppended(records.length);
    await written;
  }

  stateMachine(arn: string): StateMachineRecord {
    const sm = this.stateMachines.get(arn);
    if (!sm || sm.deleting)
      throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }

  execution(arn: string): ExecutionRecord {
    const exec = this.executions.get(arn);
    if (!exec) throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  newHistory(executionArn: string): ExecutionHistory {
    return new ExecutionHistory(
      executionArn,
      this.clock,
      (event: HistoryEvent, thread: string) => this.append(engineRecord.event(executionArn, event, thread)),
      this.listeners,
      () => this.executions.get(executionArn)?.status === ExecutionStatus.Running,
    );
  }

  /** Starts (or resumes) running an execution in the background. */
  launch(exec: ExecutionRecord, start: RunStart): void {
    const sm = this.stateMachines.get(exec.stateMachineArn);
    const name = sm?.name ?? exec.stateMachineArn.split(':').pop()!;
    exec.done = runExecution(exec, { arn: exec.stateMachineArn, name }, this.runnerDeps(), start).catch(
      (err) => {
        // A failure to persist leaves the execution where the store last saw it; surface it loudly.
        console.error(`tollgate engine: execution ${exec.executionArn} stopped: ${(err as Error).message}`);
      },
    );
  }

  private runnerDeps() {
    return {
      clock: this.clock,
      lambda: this.options.lambda,
      integrations: this.options.integrations ?? {},
      tokens: this.tokens,
      arn: this.arn,
      persistStatus: (exec: ExecutionRecord) => this.append(engineRecord.status(exec)),
      persistCheckpoint: (exec: ExecutionRecord, checkpoint: Checkpoint) => {
        exec.checkpoint = checkpoint;
        // Not awaited: it is ordered before the state's events, which are what side effects and
        // readers wait for (see ExecutionHistory); a failed write surfaces through them.
        this.append(engineRecord.checkpoint(exec.executionArn, checkpoint)).catch(() => undefined);
      },
    };
  }
}
