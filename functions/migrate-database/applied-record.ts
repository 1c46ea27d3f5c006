import type { Clock } from '../shared/clock.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { CommandMigrationResult } from './command-migration.js';
import type { MigrateDatabaseResult } from './migrate-database.js';

/** Where a pipeline run migrated; a migration run by hand (`tollgate db migrate`) names none. */
export interface MigrationRunContext {
  readonly executionArn?: string;
  readonly stateName?: string;
  readonly pipeline?: string;
  readonly environment?: string;
  readonly releaseVersion?: string;
}

/**
 * The environment's schema as this run left it, in the ledger: the migrations applied now and
 * every migration the database holds. Migrations are forward-only, so a release that fails after
 * migrating (its smoke tests, say) is rolled back while its migrations stay; an approver must not
 * be told they are "new to prod" next time, and an auditor can see when each schema change
 * reached an environment. The whole set is written, not only what this attempt applied, so a
 * retried task that finds everything applied still records it.
 */
export async function recordMigrations(
  context: MigrationRunContext,
  result: MigrateDatabaseResult,
  ports: { readonly ledger: Ledger; readonly clock: Clock },
): Promise<void> {
  const present = [...result.skipped, ...result.applied]
    .sort((a, b) => a.version - b.version)
    .map((m) => m.name);
  await append(context, { applied: result.applied.map((m) => m.name), present }, ports);
}

/**
 * A migration tool's run: what it applied (its history table's new rows) and its output. No
 * `present`: the tool's names are not the release's `NNNN_name.sql` files that the approval card
 * and the redeploy check compare it with.
 */
export async function recordCommandMigration(
  context: MigrationRunContext,
  result: CommandMigrationResult,
  ports: { readonly ledger: Ledger; readonly clock: Clock },
): Promise<void> {
  await append(context, { applied: result.applied.map((m) => m.name), command: result.command }, ports);
}

async function append(
  context: MigrationRunContext,
  data: Readonly<Record<string, unknown>>,
  ports: { readonly ledger: Ledger; readonly clock: Clock },
): Promise<void> {
  const { executionArn, stateName, pipeline, environment, releaseVersion } = context;
  if (!executionArn || !stateName || !pipeline || !environment) return;
  await ports.ledger.append({
    kind: 'migrations-applied',
    pipeline,
    environment,
    ...(releaseVersion ? { releaseVersion } : {}),
    executionArn,
    actor: 'tollgate',
    at: ports.clock.now().toISOString(),
    data,
    // The environments share the Map's state names: the environment keeps them apart.
    idempotencyKey: `${executionArn}#${stateName}#${environment}`,
  });
}
