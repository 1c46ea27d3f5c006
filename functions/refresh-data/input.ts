import * as z from 'zod';
import type { OperationRef, SnapshotRef, VolumeSetRef } from '../shared/ports/snapshot-provider.js';
import { taskContextSchema } from '../shared/schemas.js';

/**
 * A ref the provider produced in an earlier step, handed back verbatim by the ASL. Only its being an
 * object is checked here: its shape is the provider's to validate (each provider's refs differ), so
 * the type says which ref it is without a second, drifting copy of the provider's schema.
 */
const providerRef = <Ref>() =>
  z.custom<Ref>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)).nullish();

/** What the ASL hands refresh-data: one storage step, with the refs of the steps before it. */
export const refreshInputSchema = taskContextSchema
  .extend({
    pipeline: z.string().min(1),
    environment: z.string().min(1),
    action: z.enum([
      'plan',
      'snapshot-source',
      'backup-target',
      'clone',
      'publish',
      'restore',
      'poll',
      'record',
      'gc',
    ]),
    operation: providerRef<OperationRef>(),
    snapshot: providerRef<SnapshotRef>(),
    backup: providerRef<SnapshotRef>(),
    /** The clone that `clone` prepared (its poll's ref), for `record` and `publish`. */
    volumes: providerRef<VolumeSetRef>(),
  })
  .readonly();

export type RefreshInput = z.output<typeof refreshInputSchema>;
