/** What a distributed Map tells the engine about its Map Run (DescribeMapRun, ListMapRuns). */
export interface MapRunStart {
  readonly label: string | undefined;
  readonly maxConcurrency: number;
  readonly toleratedFailureCount: number;
  readonly toleratedFailurePercentage: number;
  /** Items the run processes, and child executions (fewer under ItemBatcher). */
  readonly totalItems: number;
  readonly totalExecutions: number;
}

export const MapRunStatus = {
  Running: 'RUNNING',
  Succeeded: 'SUCCEEDED',
  Failed: 'FAILED',
  Aborted: 'ABORTED',
} as const;
export type MapRunStatus = (typeof MapRunStatus)[keyof typeof MapRunStatus];

/** A child execution's end as the Map Run counts it. */
export type ChildEnd = 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** The live Map Run a distributed Map reports its progress to. */
export interface MapRunProgress {
  readonly mapRunArn: string;
  childStarted(items: number): void;
  childEnded(items: number, end: ChildEnd): void;
  end(status: MapRunStatus): void;
}

/** Starts a Map Run: the engine's port, injected through ExecutionServices. */
export type MapRunStarter = (start: MapRunStart) => MapRunProgress;
