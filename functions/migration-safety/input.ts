import * as z from 'zod';
import type { TrialStatus } from '../shared/ports/release-trials.js';
import type { OperationRef, SnapshotRef } from '../shared/ports/snapshot-provider.js';
import { releaseRefSchema, taskContextSchema } from '../shared/schemas.js';

/** A ref a port produced in an earlier step, handed back verbatim by the ASL (the port validates it). */
const portRef = <Ref>() =>
  z.custom<Ref>((value) => typeof value === 'object' && value !== null && !Array.isArray(value)).nullish();

const migrationNames = z.array(z.string().min(1));

/** What the ASL hands migration-safety: one step of the checkpoint or of the compatibility check. */
export const migrationSafetyInputSchema = taskContextSchema
  .extend({
    pipeline: z.string().min(1),
    environment: z.string().min(1),
    action: z.enum([
      'plan',
      'checkpoint',
      'poll',
      'record-checkpoint',
      'trial-start',
      'trial-poll',
      'trial-check',
    ]),
    /** The release being migrated to. */
    release: releaseRefSchema,
    /** plan's output: the migrations the environment has not applied and which of them are breaking. */
    plan: z.object({ pending: migrationNames, breaking: migrationNames }).nullish(),
    /** The checkpoint snapshot's operation (poll) or ref (record-checkpoint). */
    operation: portRef<OperationRef>(),
    snapshot: portRef<SnapshotRef>(),
    /** The newest transaction id when the checkpoint started, to count the rows written since. */
    txid: z.string().regex(/^\d+$/).nullish(),
    /** trial-start's output. */
    trial: z
      .object({
        trialId: z.string().min(1),
        release: releaseRefSchema,
        idempotencyKey: z.string().min(1).optional(),
      })
      .nullish(),
    /** The trial's last poll. */
    status: portRef<TrialStatus>(),
  })
  .readonly();

export type MigrationSafetyInput = z.output<typeof migrationSafetyInputSchema>;
