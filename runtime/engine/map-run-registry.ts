import type { ChildEnd, MapRunProgress, MapRunStart, MapRunStatus } from '../asl/distributed/map-run.js';
import { MapRunStatus as Status } from '../asl/distributed/map-run.js';

/** AWS's MapRunItemCounts / MapRunExecutionCounts. */
interface MapRunCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

export interface MapRunRecord {
  readonly mapRunArn: string;
  readonly executionArn: string;
  /** The Map Run's own state machine: `<state machine ARN>/<label>`, as AWS names it. */
  readonly stateMachineArn: string;
  readonly startDate: number;
  stopDate?: number;
  status: MapRunStatus;
  readonly maxConcurrency: number;
  readonly toleratedFailureCount: number;
  readonly toleratedFailurePercentage: number;
  readonly itemCounts: MapRunCounts;
  readonly executionCounts: MapRunCounts;
}

function counts(total: number): MapRunCounts {
  return {
    pending: total,
    running: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    aborted: 0,
    total,
    resultsWritten: 0,
    failuresNotRedrivable: 0,
    pendingRedrive: 0,
  };
}

const END_FIELD: Record<ChildEnd, 'succeeded' | 'failed' | 'aborted'> = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  ABORTED: 'aborted',
};

/**
 * The engine's Map Runs, in memory: they live as long as their execution (dropped with it at
 * retention). A restart runs a distributed Map again (see map-state.ts), which starts a new run.
 */
export class MapRunRegistry {
  private readonly runs = new Map<string, MapRunRecord>();

  start(
    ids: { mapRunArn: string; executionArn: string; stateMachineArn: string },
    start: MapRunStart,
    now: () => number,
  ): MapRunProgress {
    const record: MapRunRecord = {
      ...ids,
      startDate: now(),
      status: Status.Running,
      maxConcurrency: start.maxConcurrency,
      toleratedFailureCount: start.toleratedFailureCount,
      toleratedFailurePercentage: start.toleratedFailurePercentage,
      itemCounts: counts(start.totalItems),
      executionCounts: counts(start.totalExecutions),
    };
    this.runs.set(record.mapRunArn, record);
    const move = (c: MapRunCounts, n: number, from: 'pending' | 'running', to: keyof MapRunCounts) => {
      c[from] -= n;
      c[to] += n;
    };
    // The first end is the run's end; children that settle after it change no count.
    const open = () => record.status === Status.Running;
    return {
      mapRunArn: record.mapRunArn,
      childStarted: (items) => {
        if (!open()) return;
        move(record.itemCounts, items, 'pending', 'running');
        move(record.executionCounts, 1, 'pending', 'running');
      },
      childEnded: (items, end) => {
        if (!open()) return;
        move(record.itemCounts, items, 'running', END_FIELD[end]);
        move(record.executionCounts, 1, 'running', END_FIELD[end]);
      },
      end: (status) => {
        if (!open()) return;
        if (status === Status.Aborted) {
          // Stopped with its execution: what was running is aborted, what never started stays pending.
          move(record.itemCounts, record.itemCounts.running, 'running', 'aborted');
          move(record.executionCounts, record.executionCounts.running, 'running', 'aborted');
        }
        record.status = status;
        record.stopDate = now();
      },
    };
  }

  get(mapRunArn: string): MapRunRecord | undefined {
    return this.runs.get(mapRunArn);
  }

  /** The execution's Map Runs, oldest first. */
  ofExecution(executionArn: string): MapRunRecord[] {
    return [...this.runs.values()].filter((r) => r.executionArn === executionArn);
  }

  forgetExecutions(executionArns: ReadonlySet<string>): void {
    for (const [arn, run] of this.runs) if (executionArns.has(run.executionArn)) this.runs.delete(arn);
  }
}
