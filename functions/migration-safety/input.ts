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
      'restore-plan',
      'restore-start',
      'restore-record',
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
    /** record-checkpoint's output: what a restore after a failure past the migration goes back to. */
    checkpoint: z
      .object({
        snapshot: z.custom<SnapshotRef>(
          (value) =>
            typeof value === 'object' && value !== null && (value as SnapshotRef).kind === 'snapshot',
          'the checkpoint snapshot ref',
        ),
        txid: z.string().regex(/^\d+$/),
        takenAt: z.string().min(1),
        breaking: migrationNames,
      })
      .nullish(),
    /** restore-plan's output, for the ledger entry restore-record writes. */
    restorePlan: z.object({ rowsSinceCheckpoint: z.number().int().min(0) }).nullish(),
    /** How the restore offer ended (restore-record). */
    outcome: z.enum(['restored', 'restore-failed', 'rejected', 'expired']).nullish(),
    /** The failed restore's reason, or the approval's decision (who rejected it and why). */
    detail: z.unknown().optional(),
  })
  .readonly();

export type MigrationSafetyInput = z.output<typeof migrationSafetyInputSchema>;
