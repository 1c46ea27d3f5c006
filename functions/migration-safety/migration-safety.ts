import { InvalidInputError, SnapshotFailedError } from '../shared/errors.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import type { Sleeper } from '../smoke-test/smoke-test.js';
import { recordCheckpoint, startCheckpoint } from './checkpoint.js';
import { planRestore, recordRestore, startRestore } from './checkpoint-restore.js';
import { checkTrial, startTrial } from './compatibility-check.js';
import type { MigrationSafetyInput } from './input.js';
import { planMigrations } from './pending-migrations.js';

type Ports = Pick<TollgatePorts, 'config' | 'artifacts' | 'snapshots' | 'trials' | 'ledger' | 'clock'>;

/**
 * migration-safety: keeps a release's migrations safe to roll back. Each action returns at once;
 * the ASL waits and polls between them, so no Lambda blocks on storage or on a start-up.
 *
 * - `plan`              → `{ pending, breaking, checkpoint }`: the release's migrations this
 *                         environment has not applied, those marked `database.breaking`, and
 *                         whether a checkpoint comes first (a database that is not refreshed).
 * - `checkpoint`        → `{ operation, txid }`: snapshot the environment's volumes before migrating.
 * - `poll`              → the snapshot operation's status.
 * - `record-checkpoint` → the `migration-checkpoint` ledger entry: run, release, environment,
 *                         snapshot ref, time.
 * - `trial-start`       → `{ trialId, release }`: start the previous release on the migrated
 *                         database, or `{ trialId: null, skipped }` with the reason.
 * - `trial-poll`        → the trial's status.
 * - `trial-check`       → smoke tests against the trial, which is then stopped; throws
 *                         Tollgate.NotRollbackSafe unless the failing migration is marked breaking.
 * - `restore-plan`      → `{ offer, rowsSinceCheckpoint, … }`: after a failure past the migration,
 *                         whether to ask for a restore from `checkpoint` (a breaking migration was
 *                         applied, there are approvers, the checkpoint is a copy) and how many rows
 *                         were written since; a restore not offered is recorded with its reason.
 * - `restore-start`     → `{ operation }`: the environment's volumes back from the checkpoint
 *                         (polled with `poll`).
 * - `restore-record`    → the `checkpoint-restore` ledger entry: restored, failed, or the data kept
 *                         after a rejection or the approval's timeout.
 */
export async function migrationSafety(
  input: MigrationSafetyInput,
  ports: Ports,
  deps: { readonly sleep: Sleeper; readonly connection: () => Promise<string> },
): Promise<Record<string, unknown>> {
  switch (input.action) {
    case 'plan':
      return {
        ...(await planMigrations(
          {
            environment: input.environment,
            release: input.release,
            connectionString: await deps.connection(),
          },
          ports,
        )),
      };
    case 'checkpoint':
      return startCheckpoint(input, await deps.connection(), ports);
    case 'poll':
      if (!input.operation) throw new SnapshotFailedError('poll needs the checkpoint operation ref');
      return { ...(await ports.snapshots.poll(input.operation)) };
    case 'record-checkpoint':
      return recordCheckpoint(input, ports);
    case 'trial-start':
      return startTrial(input, ports);
    case 'trial-poll':
      if (!input.trial) throw new InvalidInputError('trial-poll needs the trial that trial-start returned');
      return { ...(await ports.trials.poll(input.trial.trialId)) };
    case 'trial-check':
      return checkTrial(input, ports, deps.sleep);
    case 'restore-plan':
      return planRestore(input, await deps.connection(), ports);
    case 'restore-start':
      return startRestore(input, ports);
    case 'restore-record':
      return recordRestore(input, ports);
  }
}
