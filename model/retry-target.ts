import { runState } from './run-state.js';
import { placedStages, type Timeline } from './run-timeline.js';

/**
 * Where `tollgate retry` (and the run page's Retry) picks a failed run up: its release, from the
 * environment it failed, stopped or timed out in. A redrive cannot: every failure the pipeline
 * catches ends in its `RunFailed` Fail state, and a redrive resumes there, so it fails again at
 * once. A retry is a new run of the same release through the same gates, without a build.
 */
export type RetryTarget =
  | {
      readonly retry: true;
      readonly release: string;
      /** Where the run failed; the pipeline's first environment when it failed before any. */
      readonly environment: string;
    }
  | { readonly retry: false; readonly reason: string };

export function retryTarget(run: string, timeline: Timeline, environments: readonly string[]): RetryTarget {
  const { status } = timeline.execution;
  if (status === 'RUNNING' || status === 'SUCCEEDED')
    return refuse(`run ${run} is ${status}; only a failed, timed-out or aborted run can be retried`);
  const stages = placedStages(timeline);
  const release = stages
    .flatMap((s) => s.evidence)
    .find((e): e is Extract<typeof e, { kind: 'release' }> => e.kind === 'release');
  if (!release)
    return refuse(
      `run ${run} ended before it registered a release, so there is nothing to retry; push the commit again to build it`,
    );
  // A failed or rolled-back run names its environment; an aborted or timed-out one stopped in the
  // last environment it entered.
  const environment =
    runState(timeline).environment ??
    stages.findLast((s) => s.environment !== null)?.environment ??
    environments[0];
  if (!environment) return refuse('the pipeline has no environments to retry in');
  return { retry: true, release: release.version, environment };
}

function refuse(reason: string): RetryTarget {
  return { retry: false, reason };
}
