import { InvalidInputError } from '../errors.js';
import type { OperationRef, ProviderType, RestScan, VolumeSetRef } from '../ports/snapshot-provider.js';

/**
 * Publishing for providers that cannot stage (FlashArray, Aurora): their overwrite clone is in place
 * when it completes, so publish has nothing left to do and its poll reports SUCCEEDED at once.
 */
export function inPlacePublish(provider: ProviderType, ref: VolumeSetRef): OperationRef {
  if (ref?.provider !== provider || ref.kind !== 'volumes' || !Array.isArray(ref.volumes)) {
    throw new InvalidInputError(`startPublish needs a VolumeSetRef returned by this ${provider} provider`);
  }
  if (ref.staged) throw new InvalidInputError(`the ${provider} provider never stages a clone`);
  return { provider, kind: 'publish', id: `publish-${ref.name}`, resource: ref };
}

/** What these providers say instead of a scan: they cannot read the volume's files. */
export function unreachableScan(reason: string): RestScan {
  return { kind: 'unreachable', reason };
}
