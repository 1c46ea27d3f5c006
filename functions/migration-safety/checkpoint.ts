import { idempotencyKey } from '../deploy/target-environment.js';
import { volumeMappings } from '../shared/database/environment-connection.js';
import { withClient } from '../shared/database/pg-client.js';
import { ConfigError, SnapshotFailedError } from '../shared/errors.js';
import type { OperationRef, SnapshotRef } from '../shared/ports/snapshot-provider.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import type { MigrationSafetyInput } from './input.js';

type Ports = Pick<TollgatePorts, 'config' | 'snapshots' | 'ledger' | 'clock'>;

/**
 * Starts the checkpoint: a snapshot of the environment's own volumes, through the snapshot
 * provider, before its migrations run. The newest transaction id is read first, so the rows written
 * after the checkpoint can be counted later (a restore would lose them).
 */
export async function startCheckpoint(
  input: MigrationSafetyInput,
  connectionString: string,
  ports: Ports,
): Promise<{ operation: OperationRef; txid: string }> {
  const retention = ports.config.database?.snapshots;
  if (!retention) throw new ConfigError('migration-safety: the config has no "database" block');
  const txid = await withClient(
    connectionString,
    async (client) =>
      (await client.query<{ txid: string }>('SELECT txid_current()::text AS txid')).rows[0]!.txid,
    { applicationName: 'tollgate-checkpoint' },
  );
  const now = ports.clock.now();
  const operation = await ports.snapshots.startSnapshot({
    idempotencyKey: `${idempotencyKey(input)}/checkpoint`,
    source: volumeMappings(ports.config, input.environment).map((m) => m.target),
    labels: {
      pipeline: input.pipeline,
      run: input.executionArn,
      ttl: new Date(now.getTime() + retention.maxAge * 1000).toISOString(),
      environment: input.environment,
      purpose: 'checkpoint',
    },
  });
  return { operation, txid };
}

/** The checkpoint in the ledger, with its provenance: run, release, environment, snapshot, time. */
export async function recordCheckpoint(input: MigrationSafetyInput, ports: Ports) {
  const snapshot = input.snapshot;
  if (snapshot?.kind !== 'snapshot')
    throw new SnapshotFailedError('record-checkpoint needs the checkpoint snapshot ref');
  if (!input.plan || !input.txid) throw new SnapshotFailedError('record-checkpoint needs the plan and txid');
  const takenAt = ports.clock.now().toISOString();
  const { seq } = await ports.ledger.append({
    kind: 'migration-checkpoint',
    pipeline: input.pipeline,
    environment: input.environment,
    releaseVersion: input.release.version,
    executionArn: input.executionArn,
    actor: 'tollgate',
    at: takenAt,
    data: {
      snapshot: snapshot as SnapshotRef,
      provider: ports.snapshots.type,
      pending: input.plan.pending,
      breaking: input.plan.breaking,
      txid: input.txid,
    },
    idempotencyKey: idempotencyKey(input),
  });
  return { snapshot, txid: input.txid, takenAt, ledgerSeq: seq, breaking: input.plan.breaking };
}
