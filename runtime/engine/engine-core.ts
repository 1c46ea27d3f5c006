import { AwsApiError } from '../api/aws-service.js';
import type { MapObjectStore } from '../asl/distributed/map-objects.js';
import type { HistoryCursor } from '../asl/history/history-cursor.js';
import type { HistoryEvent } from '../asl/history/history-event.js';
import type { LambdaInvoker } from '../asl/task/lambda-invoker.js';
import type { IntegrationRegistry } from '../asl/task/task-integration.js';
import type { EngineStore } from '../store/engine-store.js';
import type { ArnContext } from './arns.js';
import type { EngineClock } from './clock.js';
import { type CompactionOptions, validateCompactionOptions } from './compaction.js';
import { type EngineJournal, MemoryJournal, StoreJournal } from './engine-journal.js';
import { type ExecutionRecord, ExecutionStatus, type StateMachineRecord } from './engine-model.js';
import { type EngineRecord, engineRecord } from './engine-records.js';
import { type EventListener, ExecutionHistory } from './execution-history.js';
import { type RunStart, runExecution } from './execution-runner.js';
import { MapRunRegistry } from './map-run-registry.js';
import { ProgramCache } from './program-cache.js';
import { TaskTokenRegistry } from './task-token-registry.js';

export interface EngineOptions {
  /**
   * Where the engine keeps its log (durable mode). Without one the engine runs in memory mode:
   * nothing is written anywhere and nothing survives `close`.
   */
  readonly store?: EngineStore;
  readonly clock: EngineClock;
  readonly lambda: LambdaInvoker;
  readonly integrations?: IntegrationRegistry;
  /** Where distributed Maps read items (ItemReader) and write results (ResultWriter). */
  readonly objects?: MapObjectStore;
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
  readonly journal: EngineJournal;
  readonly programs = new ProgramCache();
  readonly mapRuns = new MapRunRegistry();
  closed = false;

  constructor(readonly options: EngineOptions) {
    this.arn = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '123456789012' };
    this.tokens = new TaskTokenRegistry(options.clock, (r) => this.append(r));
    const compaction = validateCompactionOptions(options.compaction);
    const now = () => options.clock.now();
    this.journal = options.store
      ? new StoreJournal(options.store, this, compaction, now)
      : new MemoryJournal(this, compaction, now);
  }

  get clock(): EngineClock {
    return this.options.clock;
  }

  append(...records: EngineRecord[]): Promise<void> {
    return this.journal.append(records);
  }

  stateMachine(arn: string): StateMachineRecord {
    const sm = this.stateMachines.get(arn);
    if (!sm || sm.deleting)
      throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return sm;
  }

  /** An execution as the API may show it: one whose start is not yet durable does not exist. */
  execution(arn: string): ExecutionRecord {
    const exec = this.executions.get(arn);
    if (!exec || exec.startWrite !== undefined)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  newHistory(executionArn: string): ExecutionHistory {
    // The history is built with its execution's record, which joins `executions` just after: the
    // record is looked up until found, then kept, instead of a map lookup for every event. A
    // record is never replaced while its execution can still record (redrive reopens the same one).
    let exec: ExecutionRecord | undefined;
    return new ExecutionHistory(
      executionArn,
      this.clock,
      (event: HistoryEvent, thread: string) => this.journal.event(executionArn, event, thread),
      this.listeners,
      () => {
        exec ??= this.executions.get(executionArn);
        return exec?.status === ExecutionStatus.Running;
      },
    );
  }

  /**
   * Records an execution's end; its status, stop date, output or error are already set. Its
   * checkpoint (where a redrive continues), its terminal event and its status record are queued in
   * that order in one step, so the store commits them together: a log holding the terminal event
   * always holds the checkpoint, and no transition wrote one before.
   */
  async recordEnd(
    exec: ExecutionRecord,
    cursor: HistoryCursor,
    type: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    if (exec.checkpoint && exec.status !== ExecutionStatus.Succeeded) {
      this.journal.checkpoint(exec.executionArn, exec.checkpoint);
    }
    const event = exec.history.add(cursor, type, details);
    const status = this.append(engineRecord.status(exec));
    await event;
    await status;
  }

  /** Starts (or resumes) running an execution in the background. */
  launch(exec: ExecutionRecord, start: RunStart): void {
    const sm = this.stateMachines.get(exec.stateMachineArn);
    const name = sm?.name ?? exec.stateMachineArn.split(':').pop()!;
    const machine = this.programs.get(exec.definition);
    exec.done = runExecution(
      exec,
      { arn: exec.stateMachineArn, name },
      machine,
      this.runnerDeps(),
      start,
    ).catch((err) => {
      // A failure to persist leaves the execution where the store last saw it; surface it loudly.
      console.error(`tollgate engine: execution ${exec.executionArn} stopped: ${(err as Error).message}`);
    });
  }

  private runnerDeps() {
    return {
      clock: this.clock,
      lambda: this.options.lambda,
      integrations: this.options.integrations ?? {},
      objects: this.options.objects,
      tokens: this.tokens,
      arn: this.arn,
      mapRuns: this.mapRuns,
      recordEnd: (
        exec: ExecutionRecord,
        cursor: HistoryCursor,
        type: string,
        details: Record<string, unknown>,
      ) => this.recordEnd(exec, cursor, type, details),
    };
  }
}
