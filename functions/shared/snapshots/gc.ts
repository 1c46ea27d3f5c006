import type { OperationRef, ResourceInfo, SnapshotProvider } from '../ports/snapshot-provider.js';
import { byCodeUnit, isExpired } from './labels.js';

export interface GcOptions {
  readonly now: Date;
  /** Only consider resources carrying these labels (e.g. `{ pipeline: 'orders' }`). */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * Newest resources kept per kind (snapshot, clone), unexpired ones only; older ones are deleted
   * before their ttl (config `database.snapshots.keep`). Unbounded when absent.
   */
  readonly keep?: number;
  /** The running refresh's run (`run` label): its resources are never deleted, nor counted in keep. */
  readonly protectRun?: string;
}

export interface GcResult {
  /** Deletes started for expired resources; poll them like any other operation. */
  readonly deleting: OperationRef[];
  /** Expired (or beyond keep) but an environment serves from it, so it stays. */
  readonly keptInUse: ResourceInfo[];
  readonly unexpired: number;
  /** Of `deleting`, how many were unexpired but beyond `keep`. */
  readonly beyondKeep: number;
}

/**
 * Deletes what runs left behind once its ttl has passed, and beyond the newest `keep` of each kind.
 * Never touches a resource in use, one of the running refresh, or one without Tollgate labels (list
 * only returns labelled resources).
 */
export async function gc(provider: SnapshotProvider, options: GcOptions): Promise<GcResult> {
  if (options.keep !== undefined && (!Number.isInteger(options.keep) || options.keep < 1))
    throw new RangeError(`gc keep must be a positive integer, got ${options.keep}`);
  const resources = await provider.list(options.selector ?? {});
  const deleting: OperationRef[] = [];
  const keptInUse: ResourceInfo[] = [];
  let unexpired = 0;
  let beyondKeep = 0;
  const kept = new Map<string, number>();
  // Newest first: ttl is creation time + maxAge, so it orders by age.
  const newestFirst = [...resources].sort((a, b) => byCodeUnit(b.labels.ttl ?? '', a.labels.ttl ?? ''));
  for (const resource of newestFirst) {
    if (options.protectRun !== undefined && resource.labels.run === options.protectRun) {
      unexpired += 1;
      continue;
    }
    const expired = isExpired(resource.labels, options.now);
    const rank = kept.get(resource.ref.kind) ?? 0;
    const overKeep = !expired && options.keep !== undefined && rank >= options.keep;
    if (!expired && !overKeep) {
      kept.set(resource.ref.kind, rank + 1);
      unexpired += 1;
    } else if (resource.inUse) {
      keptInUse.push(resource);
    } else {
      deleting.push(await provider.startDelete(resource.ref));
      if (overKeep) beyondKeep += 1;
    }
  }
  return { deleting, keptInUse, unexpired, beyondKeep };
}
