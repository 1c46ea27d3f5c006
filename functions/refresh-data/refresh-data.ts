import { environmentConnectionString, volumeMappings } from '../shared/database/environment-connection.js';
import { withClient } from '../shared/database/pg-client.js';
import { countRows } from '../shared/database/row-counts.js';
import { ConfigError, SnapshotFailedError } from '../shared/errors.js';
import type { TollgatePorts } from '../shared/ports/tollgate-ports.js';
import { gc } from '../shared/snapshots/gc.js';
import { validateRefreshSteps } from '../shared/snapshots/refresh-steps.js';
import type { RefreshInput } from './input.js';

type Ports = Pick<TollgatePorts, 'config' | 'snapshots' | 'ledger' | 'clock'>;

/**
 * refresh-data: the storage steps of an environment's data refresh. Each action returns at once;
 * the ASL waits and polls between them, so no Lambda ever blocks on storage.
 *
 * Actions (input `{ executionArn, stateName, pipeline, environment, action, ... }`):
 * - `plan`             → `{ steps }`: the provider's storage steps, in the order the pipeline runs
 *                        them (`capabilities().refreshSteps`).
 * - `snapshot-source`  → `{ operation }`: snapshot production's volumes.
 * - `backup-target`    → `{ operation }`: snapshot the environment's own volumes first, so a failed
 *                        run can put its previous data back.
 * - `clone`            → `{ operation }`: overwrite the environment's volumes from `snapshot`; where
 *                        the provider can stage, into a staged clone nothing can connect to yet.
 * - `publish`          → `{ operation }`: put the staged clone `volumes` in place and serve it; the
 *                        pipeline calls it only after masking and its verification passed.
 * - `restore`          → `{ operation }`: overwrite them from `backup` (the rollback path).
 * - `poll`             → `{ state: RUNNING|SUCCEEDED|FAILED, ref?, backup?, reason? }` for
 *                        `operation`; `backup` comes with a clone whose provider keeps what it
 *                        replaced instead of a `backup-target` step.
 * - `record`           → `{ sourceRowCounts }`: counts the fresh copy's rows before masking (they are
 *                        the snapshot's counts) and writes the provenance to the ledger.
 * - `gc`               → `{ deleting }`: starts deleting this pipeline's expired snapshots and clones.
 */
export async function refreshData(input: RefreshInput, ports: Ports): Promise<Record<string, unknown>> {
  // One state (StartStorageStep) runs every storage step, in every environment's Map iteration.
  const key = `${input.executionArn}/${input.environment}/${input.stateName}/${input.action}`;
  const now = ports.clock.now();
  // Snapshots and clones outlive the run long enough to investigate a failure (database.snapshots).
  const retention = ports.config.database?.snapshots;
  if (!retention) throw new ConfigError('the config has no "database" block, so there is nothing to refresh');
  const labels = (purpose: string) => ({
    pipeline: input.pipeline,
    run: input.executionArn,
    ttl: new Date(now.getTime() + retention.maxAge * 1000).toISOString(),
    environment: input.environment,
    purpose,
    // Each snapshot this run takes feeds exactly one clone (the refresh) or one restore, so a
    // provider may move its data into place instead of copying it a second time.
    ...(purpose === 'source' || purpose === 'backup' ? { 'single-use': 'true' } : {}),
  });
  const mappings = volumeMappings(ports.config, input.environment);
  switch (input.action) {
    case 'plan':
      return {
        steps: validateRefreshSteps(ports.snapshots.capabilities().refreshSteps, ports.snapshots.type),
      };
    case 'snapshot-source':
      return {
        operation: await ports.snapshots.startSnapshot({
          idempotencyKey: key,
          source: [...new Set(mappings.map((m) => m.source))],
          labels: labels('source'),
        }),
      };
    case 'backup-target':
      return {
        operation: await ports.snapshots.startSnapshot({
          idempotencyKey: key,
          source: mappings.map((m) => m.target),
          labels: labels('backup'),
        }),
      };
    case 'clone':
    case 'restore': {
      const from = input.action === 'clone' ? input.snapshot : input.backup;
      if (!from)
        throw new SnapshotFailedError(
          `${input.action} needs the ${input.action === 'clone' ? 'snapshot' : 'backup'} ref`,
        );
      // A backup snapshots the targets themselves, so restoring maps each target back onto itself.
      const targets =
        input.action === 'clone' ? mappings : mappings.map((m) => ({ source: m.target, target: m.target }));
      return {
        operation: await ports.snapshots.startClone({
          idempotencyKey: key,
          snapshot: from,
          targets,
          mode: 'overwrite',
          restore: input.action === 'restore',
          // A refresh lands where nothing can connect until it is masked and verified; a restore
          // puts back the environment's own (masked) data, so it may go live at once.
          stage: input.action === 'clone' && ports.snapshots.capabilities().staging,
          labels: labels(input.action === 'clone' ? 'refresh' : 'restore'),
        }),
      };
    }
    case 'publish': {
      if (!input.volumes) throw new SnapshotFailedError('publish needs the clone ref (volumes)');
      return { operation: await ports.snapshots.startPublish(input.volumes) };
    }
    case 'poll': {
      if (!input.operation) throw new SnapshotFailedError('poll needs the operation ref');
      const status = await ports.snapshots.poll(input.operation);
      return { ...status };
    }
    case 'record': {
      const tables = tablesToCount(ports.config);
      const url = await environmentConnectionString(ports, input.environment, input.volumes ?? undefined);
      const sourceRowCounts = tables.length
        ? await withClient(url, (client) => countRows(client, tables), {
            applicationName: 'tollgate-refresh',
          })
        : {};
      await ports.ledger.append({
        kind: 'data-refresh',
        pipeline: input.pipeline,
        at: now.toISOString(),
        executionArn: input.executionArn,
        environment: input.environment,
        actor: 'tollgate',
        data: {
          source: ports.config.database?.source,
          snapshot: input.snapshot?.name ?? null,
          volumes: mappings,
          provider: ports.snapshots.type,
          rowCounts: sourceRowCounts,
        },
        idempotencyKey: key,
      });
      return { sourceRowCounts };
    }
    case 'gc': {
      const result = await gc(ports.snapshots, {
        now,
        selector: { pipeline: input.pipeline },
        keep: retention.keep,
        protectRun: input.executionArn,
      });
      return {
        deleting: result.deleting.length,
        beyondKeep: result.beyondKeep,
        keptInUse: result.keptInUse.length,
      };
    }
  }
}

/** Tables whose counts matter: masked ones (verify-masking) and rowCountMatchesSource checks. */
function tablesToCount(config: Ports['config']): string[] {
  const db = config.database;
  if (!db) return [];
  return [
    ...new Set([
      ...db.masking.map((m) => m.table),
      ...db.checks.flatMap((c) => (c.type === 'rowCountMatchesSource' ? [c.table] : [])),
    ]),
  ];
}
