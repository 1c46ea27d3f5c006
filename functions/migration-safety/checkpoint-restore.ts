import { idempotencyKey } from '../deploy/target-environment.js';
import { volumeMappings } from '../shared/database/environment-connection.js';
import { type PgClient, withClient } from '../shared/database/pg-client.js';
import { InvalidInputError } from '../shared/errors.js';
import type { OperationRef, SnapshotRef } from '../shared/ports/snapshot-provider.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import type { MigrationSafetyInput } from './input.js';
import { rowsSinceCheckpoint } from './rows-since-checkpoint.js';

type Ports = Pick<TollgatePorts, 'config' | 'snapshots' | 'ledger' | 'clock'>;

/** What record-checkpoint returned; the ASL hands it back verbatim. */
type Checkpoint = NonNullable<MigrationSafetyInput['checkpoint']>;

/** How a restore offer ended, as the ledger's `checkpoint-restore` entry says it. */
const RestoreOutcome = {
  NotOffered: 'not-offered',
  Restored: 'restored',
  RestoreFailed: 'restore-failed',
  Rejected: 'rejected',
  Expired: 'expired',
} as const;
type RestoreOutcome = (typeof RestoreOutcome)[keyof typeof RestoreOutcome];

const DELETES_NOTE =
  'rows inserted or updated since the checkpoint, by anything but the migrations; rows deleted since are not counted (a restore brings them back)';

function checkpointOf(input: MigrationSafetyInput): Checkpoint {
  const checkpoint = input.checkpoint;
  if (!checkpoint)
    throw new InvalidInputError(`${input.action} needs the checkpoint record-checkpoint returned`);
  return checkpoint;
}

/**
 * After a failure past prod's migration: whether to ask for a restore from the checkpoint, and
 * what it would cost. Asked only when a migration marked `database.breaking` was applied (the old
 * release cannot run on the new schema), the environment has approvers to confirm it, and the
 * provider's checkpoint is a real copy. Otherwise the data stays and the ledger says why.
 */
export async function planRestore(input: MigrationSafetyInput, connectionString: string, ports: Ports) {
  const checkpoint = checkpointOf(input);
  const { breakingApplied, rowsSince } = await withClient(
    connectionString,
    async (client) => ({
      breakingApplied: await appliedNames(client, checkpoint.breaking),
      rowsSince: await rowsSinceCheckpoint(client, checkpoint.txid),
    }),
    { applicationName: 'tollgate-restore-plan' },
  );
  const env = ports.config.environments.find((e) => e.name === input.environment);
  const reason = ports.config.database?.migrate
    ? "database.migrate.command: Tollgate cannot tell which of the tool's migrations break the previous release (database.breaking names only the built-in runner's files), so no restore is offered; the checkpoint is kept for a restore by hand"
    : notOfferedReason(breakingApplied, Boolean(env?.approval), ports);
  const summary = {
    snapshot: checkpoint.snapshot.name,
    takenAt: checkpoint.takenAt,
    breakingApplied,
    rowsSinceCheckpoint: rowsSince.total,
    rowsByTable: rowsSince.tables,
    counted: DELETES_NOTE,
  };
  if (reason) {
    await appendOutcome(input, ports, RestoreOutcome.NotOffered, { ...summary, reason });
    return { offer: false, reason, ...summary };
  }
  return { offer: true, ...summary };
}

async function appliedNames(client: PgClient, names: readonly string[]): Promise<string[]> {
  const table = await client.query<{ present: boolean }>(
    "SELECT to_regclass('tollgate_migrations') IS NOT NULL AS present",
  );
  if (!table.rows[0]?.present || names.length === 0) return [];
  const rows = await client.query<{ name: string }>(
    'SELECT name FROM tollgate_migrations WHERE name = ANY($1::text[]) ORDER BY version',
    [names],
  );
  return rows.rows.map((r) => r.name);
}

function notOfferedReason(breakingApplied: readonly string[], hasApprovers: boolean, ports: Ports) {
  if (breakingApplied.length === 0)
    return 'no migration marked database.breaking was applied, so the previous release runs on this data';
  if (!hasApprovers)
    return 'the environment has no approval block, so nobody can confirm a restore; the checkpoint is kept for a restore by hand';
  // Aurora's checkpoint is a marker: it clones from the live cluster when used, so it holds nothing
  // from before the migration to go back to.
  if (ports.snapshots.capabilities().snapshotStep !== 'copy')
    return `the ${ports.snapshots.type} provider's checkpoint is a marker, not a copy; restore with the provider's own point-in-time restore to the checkpoint's time`;
  return undefined;
}

/** Puts the environment's volumes back from the checkpoint, each onto itself, as a refresh's restore does. */
export async function startRestore(
  input: MigrationSafetyInput,
  ports: Ports,
): Promise<{ operation: OperationRef }> {
  const checkpoint = checkpointOf(input);
  const retention = ports.config.database?.snapshots;
  if (!retention) throw new InvalidInputError('restore-start: the config has no "database" block');
  const now = ports.clock.now();
  const operation = await ports.snapshots.startClone({
    idempotencyKey: `${idempotencyKey(input)}/checkpoint-restore`,
    snapshot: checkpoint.snapshot as SnapshotRef,
    targets: volumeMappings(ports.config, input.environment).map((m) => ({
      source: m.target,
      target: m.target,
    })),
    mode: 'overwrite',
    restore: true,
    labels: {
      pipeline: input.pipeline,
      run: input.executionArn,
      ttl: new Date(now.getTime() + retention.maxAge * 1000).toISOString(),
      environment: input.environment,
      purpose: 'checkpoint-restore',
    },
  });
  return { operation };
}

/** The `checkpoint-restore` ledger entry: restored, its failure, or the decision that kept the data. */
export async function recordRestore(input: MigrationSafetyInput, ports: Ports) {
  const checkpoint = checkpointOf(input);
  const outcome = input.outcome;
  if (!outcome)
    throw new InvalidInputError(
      'restore-record needs an outcome: restored, restore-failed, rejected or expired',
    );
  const data = {
    snapshot: checkpoint.snapshot.name,
    takenAt: checkpoint.takenAt,
    rowsSinceCheckpoint: input.restorePlan?.rowsSinceCheckpoint ?? null,
    dataKept: outcome !== RestoreOutcome.Restored,
    ...(input.detail ? { detail: input.detail } : {}),
  };
  await appendOutcome(input, ports, outcome, data);
  return { outcome, ...data };
}

async function appendOutcome(
  input: MigrationSafetyInput,
  ports: Ports,
  outcome: RestoreOutcome,
  data: Record<string, unknown>,
) {
  await ports.ledger.append({
    kind: 'checkpoint-restore',
    pipeline: input.pipeline,
    environment: input.environment,
    releaseVersion: input.release.version,
    executionArn: input.executionArn,
    actor: 'tollgate',
    at: ports.clock.now().toISOString(),
    data: { outcome, provider: ports.snapshots.type, ...data },
    idempotencyKey: idempotencyKey(input),
  });
}
