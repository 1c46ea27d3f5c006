import { StatesError, StatesErrorName, toStatesError } from '../errors/states-error.js';
import { Frame } from '../frame/frame.js';
import { HistoryCursor, nextEventId } from '../history/history-cursor.js';
import type { HistoryRecorder } from '../history/history-event.js';
import type { ChildProgram, ProgramOutcome } from '../program/states-block.js';
import { type IterationJob, outcomeOutputs, runIterations } from '../states/map-iterations.js';
import type { StateRun } from '../states/state-run.js';
import { StoppableWork, unwindIfStopped } from '../states/stoppable-work.js';
import type { ChildExecutions } from './child-executions.js';
import { type MapRunProgress, MapRunStatus } from './map-run.js';
import { writeResults } from './result-writer.js';

/** The iterations a Map runs: one per item, or (ItemBatcher) one per batch of selected items. */
export interface MapJobs {
  readonly batched: boolean;
  readonly list: readonly IterationJob[];
  readonly prepare: (frame: Frame, job: IterationJob) => Promise<unknown>;
}

/** Child executions of a distributed map keep their own history, not the parent's. */
const detachedRecorder: HistoryRecorder = {
  add: async (cursor) => nextEventId(cursor),
  addStateEntered: async (cursor) => nextEventId(cursor),
  addStateExited: async (cursor) => nextEventId(cursor),
  // Not persisted, so never replayed: a restart runs a distributed map's children again.
  pending: () => [],
};

/**
 * Runs a distributed Map's child executions once its MapRunStarted is recorded, and ends its Map
 * Run: MapRunFailed on a timeout, a crossed failure threshold or a ResultWriter that cannot
 * write; else the results (or, with a ResultWriter, where they were written) and MapRunSucceeded.
 */
export async function runDistributedMap(
  run: StateRun,
  d: MapJobs & {
    readonly program: ChildProgram;
    readonly children: ChildExecutions;
    readonly mapRun: MapRunProgress;
    readonly mapRunStartedEventId: number;
    readonly startedEventId: number;
    readonly maxConcurrency: number;
    readonly timeout: number | undefined;
    readonly exceedsItems: (failedItems: number) => boolean;
    readonly itemsInput: unknown;
    readonly mapStateName: string;
    readonly writer: Readonly<Record<string, unknown>> | undefined;
  },
): Promise<unknown> {
  const { recorder, clock } = run.frame.services;
  const work = new StoppableWork(run.frame);
  work.armTimeout(clock, clock.now(), d.timeout);
  // Stopped from outside (StopExecution, the enclosing branch): the run ends at once, even while a
  // child's task has not given up yet.
  const outer = run.frame.services.signal;
  const onAbort = () => d.mapRun.end(MapRunStatus.Aborted);
  outer.addEventListener('abort', onAbort, { once: true });
  const detached = new Frame(
    // `signal` named: the engine's services keep it as a getter, which a spread does not copy.
    { ...run.frame.services, signal: outer, recorder: detachedRecorder },
    new HistoryCursor(0),
    run.frame.variables,
    run.frame.context,
    run.language,
  );
  let outcomes: ProgramOutcome[];
  try {
    ({ outcomes } = await runIterations({
      parent: work.frame(detached),
      program: d.program,
      jobs: d.list,
      maxConcurrency: d.maxConcurrency,
      mapStateName: d.mapStateName,
      startedEventId: d.startedEventId,
      publishIterationEvents: false,
      shouldStop: () => d.exceedsItems(d.children.failedItems),
      prepareFrame: d.prepare,
    }));
  } catch (thrown) {
    // StopExecution or shutdown: the run ends with the execution.
    d.mapRun.end(MapRunStatus.Aborted);
    throw thrown;
  } finally {
    outer.removeEventListener('abort', onAbort);
    work.dispose();
  }
  run.frame.cursor.integrate(new HistoryCursor(run.frame.cursor.sourceEventId));
  const fail = async (error: string, cause: string | undefined) => {
    d.mapRun.end(MapRunStatus.Failed);
    await recorder.add(run.frame.cursor, 'MapRunFailed', {
      mapRunFailedEventDetails: { error, ...(cause !== undefined ? { cause } : {}) },
    });
    return new StatesError(error, cause);
  };
  if (outer.aborted) d.mapRun.end(MapRunStatus.Aborted);
  unwindIfStopped(outer);
  if (work.timedOut) throw await fail(StatesErrorName.Timeout, undefined);
  if (d.children.failedItems > 0 && d.exceedsItems(d.children.failedItems)) {
    throw await fail(
      StatesErrorName.ExceedToleratedFailureThreshold,
      'The specified tolerated failure threshold was exceeded',
    );
  }
  let output: unknown;
  try {
    output = d.writer
      ? await writeResults(run, d.writer, d.mapRun.mapRunArn, d.children.ended, d.itemsInput)
      : outcomeOutputs(outcomes);
  } catch (err) {
    const e = toStatesError(err);
    throw await fail(e.error, e.causeText);
  }
  d.mapRun.end(MapRunStatus.Succeeded);
  await recorder.add(run.frame.cursor, 'MapRunSucceeded');
  await recorder.add(run.frame.cursor, 'MapStateSucceeded', undefined, { updateSource: false });
  // AWS links a distributed Map's MapStateExited to its MapRunStarted (histories recorded since
  // late 2024; earlier ones linked it to MapRunSucceeded, see test/conformance).
  run.frame.cursor.sourceEventId = d.mapRunStartedEventId;
  return output;
}
