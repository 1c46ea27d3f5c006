import type { OperationRef, ResourceInfo, SnapshotProvider } from '../ports/snapshot-provider.js';
import { isExpired } from './labels.js';

export interface GcOptions {
  readonly now: Date;
  /** Only consider resources carrying these labels (e.g. `{ pipeline: 'orders' }`). */
  readonly selector?: Readonly<Record<string, string>>;
}

export interface GcResult {
  /** Deletes started for expired resources; poll them like any other operation. */
  readonly deleting: OperationRef[];
  /** Expired but an environment serves from it, so it stays. */
  readonly keptInUse: ResourceInfo[];
  readonly unexpired: number;
}

/**
 * Deletes what runs left behind once its ttl has passed. Never touches a resource in use, and never
 * one without Tollgate labels (list only returns labelled resources).
 */
export async function gc(provider: SnapshotProvider, options: GcOptions): Promise<GcResult> {
  const resources = await provider.list(options.selector ?? {});
  const deleting: OperationRef[] = [];
  const keptInUse: ResourceInfo[] = [];
  let unexpired = 0;
  for (const resource of resources) {
    if (!isExpired(resource.labels, options.now)) {
      unexpired += 1;
    } else if (resource.inUse) {
      keptInUse.push(resource);
    } else {
      deleting.push(await provider.startDelete(resource.ref));
    }
  }
  return { deleting, keptInUse, unexpired };
}
