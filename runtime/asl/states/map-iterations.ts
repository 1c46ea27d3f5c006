import type { Frame } from '../frame/frame.js';
import { childThread, HistoryCursor } from '../history/history-cursor.js';
import type { ChildProgram, ProgramOutcome } from '../program/states-block.js';
import { isStateStop } from './stoppable-work.js';

export interface IterationJob {
  readonly index: number;
  readonly input: unknown;
}

export interface IterationResult {
  readonly outcomes: ProgramOutcome[];
  readonly failures: number;
}

/**
 * Runs item-processor iterations on up to `maxConcurrency` workers. History links follow AWS:
 * each worker continues from its previous job's last state event, the Map-level events after a
 * successful run point at the final `MapIterationSucceeded`, after a failure at the failed state.
 */
export async function runIterations(options: {
  readonly parent: Frame;
  readonly program: ChildProgram;
  readonly jobs: readonly IterationJob[];
  readonly maxConcurrency: number;
  readonly mapStateName: string;
  /** The MapStateStarted event's id: with the item index it names each iteration's thread. */
  readonly startedEventId: number;
  /** Inline maps publish per-iteration events into the parent history; distributed maps do not. */
  readonly publishIterationEvents: boolean;
  /** Stop handing out jobs once this returns true (failure threshold reached). */
  readonly shouldStop: (failures: number) => boolean;
  readonly prepareFrame: (frame: Frame, job: IterationJob) => Promise<unknown>;
}): Promise<IterationResult> {
  const { parent, jobs } = options;
  const outcomes: ProgramOutcome[] = new Array(jobs.length);
  let nextJob = 0;
  let failures = 0;
  let stopped = false;
  const { recorder } = parent.services;

  const worker = async (): Promise<void> => {
    const workerCursor = parent.cursor.fork();
    for (;;) {
      if (stopped || nextJob >= jobs.length) break;
      const job = jobs[nextJob++];
      const frame = parent.fork();
      const jobCursor = new HistoryCursor(
        workerCursor.sourceEventId,
        workerCursor.sourceEventId,
        childThread(options.startedEventId, job.index),
      );
      const jobFrame = frame.withCursor(jobCursor);
      const details = { index: job.index, name: options.mapStateName };
      if (options.publishIterationEvents) {
        await recorder.add(jobCursor, 'MapIterationStarted', { mapIterationStartedEventDetails: details });
      }
      let outcome: ProgramOutcome;
      try {
        const input = await options.prepareFrame(jobFrame, job);
        outcome = await options.program.run(jobFrame, input);
      } catch (thrown) {
        if (isStateStop(thrown)) {
          // The Map timed out or was stopped from outside: this iteration ends where it was.
          if (options.publishIterationEvents) {
            await recorder.add(
              jobCursor,
              'MapIterationAborted',
              { mapIterationAbortedEventDetails: details },
              { updateSource: false },
            );
          }
          workerCursor.integrate(new HistoryCursor(jobCursor.sourceEventId, jobCursor.lastPublishedEventId));
          stopped = true;
          break;
        }
        if (thrown instanceof Error && thrown.name === 'ExecutionAborted') throw thrown;
        const { toStatesError } = await import('../errors/states-error.js');
        outcome = { status: 'FAILED', error: toStatesError(thrown) };
      }
      outcomes[job.index] = outcome;
      if (options.publishIterationEvents) {
        const type = outcome.status === 'SUCCEEDED' ? 'MapIterationSucceeded' : 'MapIterationFailed';
        const key =
          outcome.status === 'SUCCEEDED'
            ? 'mapIterationSucceededEventDetails'
            : 'mapIterationFailedEventDetails';
        await recorder.add(jobCursor, type, { [key]: details }, { updateSource: false });
      }
      workerCursor.integrate(new HistoryCursor(jobCursor.sourceEventId, jobCursor.lastPublishedEventId));
      if (outcome.status === 'FAILED') {
        failures += 1;
        if (options.shouldStop(failures)) {
          stopped = true;
          break;
        }
        continue;
      }
      if (nextJob >= jobs.length && !stopped) {
        workerCursor.sourceEventId = jobCursor.lastPublishedEventId;
      }
    }
    parent.cursor.integrate(workerCursor);
  };

  const workers = Math.max(1, Math.min(options.maxConcurrency || jobs.length, jobs.length));
  await Promise.all(Array.from({ length: jobs.length === 0 ? 0 : workers }, () => worker()));
  return { outcomes, failures };
}

/** A Map's output: each iteration's output, `{Error, Cause}` for a tolerated failure. */
export function outcomeOutputs(outcomes: readonly ProgramOutcome[]): unknown[] {
  return outcomes.map((o) =>
    o?.status === 'SUCCEEDED'
      ? o.output
      : o?.status === 'FAILED'
        ? { Error: o.error.error, Cause: o.error.causeText }
        : null,
  );
}
