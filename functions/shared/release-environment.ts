import type { ReleaseRef } from './release.js';

/**
 * The variables every deployer gives the app, so a service can report which immutable release it
 * runs (its `/version`, its logs) the same way on a laptop and on ECS: the process deployer sets
 * them on the process, the ECS deployer on the container in the task definition it registers.
 */
export function releaseEnvironment(
  pipeline: string,
  environment: string,
  release: ReleaseRef,
): Record<string, string> {
  return {
    TOLLGATE_PIPELINE: pipeline,
    TOLLGATE_ENVIRONMENT: environment,
    TOLLGATE_RELEASE_VERSION: release.version,
    TOLLGATE_RELEASE_COMMIT: release.commit,
    TOLLGATE_RELEASE_DIGEST: release.digest,
  };
}

/**
 * A container's `environment` with the release's variables in place of any same-named entry,
 * everything else kept in its order.
 */
export function withReleaseEnvironment<T extends { name?: string; value?: string }>(
  existing: readonly T[] | undefined,
  release: Record<string, string>,
): Array<T | { name: string; value: string }> {
  const kept = (existing ?? []).filter((entry) => !(entry.name && Object.hasOwn(release, entry.name)));
  return [...kept, ...Object.entries(release).map(([name, value]) => ({ name, value }))];
}
