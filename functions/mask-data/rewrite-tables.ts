import type { Clock } from '../shared/clock.js';
import type { TableInfo } from '../shared/database/catalog.js';
import type { PgClient } from '../shared/database/pg-client.js';

export interface RewriteReport {
  /** Tables rewritten into new files (heap, TOAST and every index). */
  readonly tables: string[];
  /** `rewritten`, or why the statistics catalog could not be (a managed database's permissions). */
  readonly statistics: string;
  readonly durationMs: number;
}

/**
 * An UPDATE leaves every original value behind as a dead tuple (and in index pages, TOAST and the
 * planner's statistics) until its space is reused. `VACUUM FULL` writes each masked table, its TOAST
 * and its indexes into new files and drops the old ones; ANALYZE replaces the statistics that were
 * computed on production values (most-common values, histogram bounds), and `VACUUM FULL` of the
 * statistics catalogs drops those old rows too. Plain SQL, so it runs the same on PGlite, RDS and
 * Aurora. The WAL that still describes the old pages is the storage provider's business (a local
 * staged clone moves past it; see `StagingArea`).
 *
 * VACUUM cannot run in a transaction, so this runs after the masking commits, on every invocation:
 * a crash between the two leaves the masking committed and the rewrite still to do.
 */
export async function rewriteMaskedTables(
  client: PgClient,
  tables: readonly TableInfo[],
  clock: Clock,
): Promise<RewriteReport> {
  const started = clock.now().getTime();
  for (const table of tables) await client.query(`VACUUM (FULL, ANALYZE) ${table.sql}`);
  // A role that does not own the catalogs gets a WARNING and a skip, not an error: say so.
  const notices: string[] = [];
  const onNotice = (n: { message?: string }) => notices.push(n.message ?? 'notice');
  client.on('notice', onNotice);
  try {
    await client.query('VACUUM FULL pg_catalog.pg_statistic');
    await client.query('VACUUM FULL pg_catalog.pg_statistic_ext_data');
  } finally {
    client.off('notice', onNotice);
  }
  return {
    tables: tables.map((t) => t.name),
    statistics: notices.length === 0 ? 'rewritten' : `not rewritten: ${notices[0]}`,
    durationMs: Math.max(0, clock.now().getTime() - started),
  };
}
