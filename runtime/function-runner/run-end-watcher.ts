import type { Engine } from '../engine/engine.js';
import type { FunctionRunner } from './function-runner.js';

/** History events that end an execution, and the status DescribeExecution then reports. */
const ENDINGS: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

/**
 * The local twin of the AWS run-end rule: when the engine records that an execution ended, the
 * runner kills its builds and releases its lock. It reacts to the engine's own event, so a run
 * stopped while no task of it runs (waiting at a gate or for the lock) is covered too.
 */
export function watchRunEnds(
  engine: Pick<Engine, 'onEvent'>,
  runner: Pick<FunctionRunner, 'runEnded'>,
  onError: (error: Error, executionArn: string) => void,
): { settled(): Promise<void>; stop(): void } {
  const inFlight = new Set<Promise<void>>();
  const stop = engine.onEvent((executionArn, event) => {
    const status = ENDINGS[event.type];
    if (!status) return;
    const work = runner
      .runEnded(executionArn, status)
      .catch((error: Error) => onError(error, executionArn))
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });
  return {
    async settled() {
      await Promise.all([...inFlight]);
    },
    stop,
  };
}
