import type { TestStageConfig } from '../config/schema.js';
import type { ReleaseRef } from '../release.js';

export interface TestRunRequest {
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  /** The environment's URL, given to the commands as TOLLGATE_URL. */
  readonly baseUrl: string;
  /** Run one after the other, each in the release's tree with its own timeout. */
  readonly tests: readonly TestStageConfig[];
  /** execution ARN + state name (+ environment); a repeated start returns the same run. */
  readonly idempotencyKey: string;
}

/** A file the command left in the release tree that the stage reads (JUnit XML, a JSON summary). */
export interface ReportFile {
  /** Relative to the release tree. */
  readonly path: string;
  readonly content: string;
  /** The file was longer than the runner reads; `content` is its beginning. */
  readonly truncated: boolean;
}

export interface TestCommandOutcome {
  readonly name: string;
  /** null when the command was stopped (timeout) or never started. */
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Last lines of its stdout and stderr. */
  readonly outputTail: readonly string[];
  /**
   * The first lines of the whole output that read as errors (see error-lines.ts), which the tail
   * misses when a stack trace follows them; absent where the runner does not read the whole output.
   */
  readonly errorLines?: readonly string[];
  /** Set when the command could not start at all. */
  readonly error?: string;
  /** The files its `junit` glob matched. */
  readonly junit: readonly ReportFile[];
  /** Each threshold's `file`, by path; absent when the command did not write it. */
  readonly summaries: Readonly<Record<string, ReportFile>>;
}

export type TestRunStatus =
  | { readonly runId: string; readonly state: 'RUNNING'; readonly done: number; readonly total: number }
  | { readonly runId: string; readonly state: 'FINISHED'; readonly outcomes: readonly TestCommandOutcome[] };

/**
 * Runs an environment's test commands against a deployed release: start returns at once and the
 * state machine polls, as for a rollout, so no task blocks while a suite runs. The runner only
 * runs and collects; what passes is decided by run-tests (exit codes, JUnit, thresholds).
 */
export interface TestRunner {
  start(request: TestRunRequest): Promise<{ runId: string }>;
  poll(runId: string): Promise<TestRunStatus>;
}
