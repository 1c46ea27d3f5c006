import { describeTable } from './catalog.js';
import { inTransaction, type PgClient, withClient } from './pg-client.js';

/** Exact `count(*)` per table; table names go through the catalog and are quoted. */
export async function countRows(
  client: PgClient,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of new Set(tables)) {
    const info = await describeTable(client, table);
    const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${info.sql}`);
    counts[table] = Number(result.rows[0].n);
  }
  return counts;
}

/**
 * Row counts of the source, read in one read-only snapshot so they describe a single moment. The
 * pipeline records these when it snapshots the source, for `rowCountMatchesSource` and verify-masking.
 */
export async function recordSourceRowCounts(
  connectionString: string,
  tables: readonly string[],
): Promise<Record<string, number>> {
  return withClient(
    connectionString,
    (client) => inTransaction(client, () => countRows(client, tables), 'REPEATABLE READ READ ONLY'),
    { applicationName: 'tollgate-source-counts' },
  );
}
