import { ConfigError } from '../errors.js';
import type { RefreshStep } from '../ports/snapshot-provider.js';

/**
 * The refresh of providers that can take a real copy of the environment first (local, FlashArray):
 * its own volumes are snapshotted before anything overwrites them, so a failed run restores them.
 */
export const BACKUP_FIRST_REFRESH: readonly RefreshStep[] = [
  'backup-target',
  'snapshot-source',
  'clone',
  'publish',
];

const STEPS = new Set<RefreshStep>(['backup-target', 'snapshot-source', 'clone', 'publish']);

/**
 * Checks a provider's declared plan before the state machine walks it: the ASL jumps to the last
 * step to publish and reads the clone's source from the snapshot step, so a plan must capture
 * production, clone, and end with publish, each once.
 */
export function validateRefreshSteps(steps: readonly unknown[], provider: string): readonly RefreshStep[] {
  const problem = (why: string) =>
    new ConfigError(`snapshot provider "${provider}" declares refresh steps [${steps.join(', ')}]: ${why}`);
  if (!Array.isArray(steps) || steps.some((s) => !STEPS.has(s as RefreshStep)))
    throw problem(`each step must be one of ${[...STEPS].join(', ')}`);
  if (new Set(steps).size !== steps.length) throw problem('a step is listed twice');
  const at = (s: RefreshStep) => steps.indexOf(s);
  if (at('snapshot-source') < 0 || at('clone') < at('snapshot-source'))
    throw problem('snapshot-source must come before clone');
  if (steps.at(-1) !== 'publish') throw problem('publish must be the last step');
  if (at('backup-target') > at('clone')) throw problem('backup-target must come before clone');
  return steps as readonly RefreshStep[];
}
