import type { PgClient } from '../shared/database/pg-client.js';
import { InvalidInputError } from '../shared/errors.js';

/** Rows a restore from the checkpoint would take away: per table, and their sum. */
interface RowsSinceCheckpoint {
  readonly total: number;
  readonly tables: Readonly<Record<string, number>>;
}

/**
 * Counts the live rows written (inserted or updated) after the checkpoint, by anything but the
 * migrations: each row's `xmin` (the transaction that wrote it) is newer than the transaction id
 * read when the checkpoint started, and is not one of the migrations' transactions
 * (migrate-database writes `tollgate_migrations` in the same transaction as each migration, so
 * those rows carry the migrations' xids).
 *
 * Why xmin and not the alternatives: per-table row counts miss every update and net inserts against
 * deletes; `pg_stat_user_tables` n_tup_ins+upd+del counts operations (not rows), includes aborted
 * ones and the migration's own rewrites, is reset by a crash, and would need a baseline stored at
 * the checkpoint. xmin is exact for what is still there and needs only the txid the checkpoint
 * already records. Deleted rows leave nothing to count, so deletions since the checkpoint are not
 * in the figure (a restore would bring those rows back); the approval says so.
 *
 * `age()` compares transaction ids modulo 2^32 around the current one, so the count is right across
 * xid wraparound as long as the checkpoint is less than 2^31 transactions old; frozen rows have the
 * largest age and never count.
 */
export async function rowsSinceCheckpoint(
  client: PgClient,
  checkpointTxid: string,
): Promise<RowsSinceCheckpoint> {
  if (!/^\d+$/.test(checkpointTxid))
    throw new InvalidInputError(`checkpoint txid must be digits, got ${JSON.stringify(checkpointTxid)}`);
  // txid_current() carries the epoch in its high 32 bits; xmin is the low 32.
  const xid = (BigInt(checkpointTxid) % 2n ** 32n).toString();
  const tables = await client.query<{ name: string; sql: string }>(
    `SELECT CASE WHEN n.nspname = 'public' THEN c.relname ELSE n.nspname || '.' || c.relname END AS name,
            format('%I.%I', n.nspname, c.relname) AS sql
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%' AND c.relname <> 'tollgate_migrations'
      ORDER BY 1`,
  );
  const migrations = await client.query<{ present: boolean }>(
    "SELECT to_regclass('tollgate_migrations') IS NOT NULL AS present",
  );
  const notMigration = migrations.rows[0]?.present
    ? ' AND NOT (xmin = ANY (SELECT m.xmin FROM tollgate_migrations m))'
    : '';
  const counts: Record<string, number> = {};
  let total = 0;
  for (const table of tables.rows) {
    const result = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table.sql} WHERE age(xmin) < age($1::xid)${notMigration}`,
      [xid],
    );
    const n = Number(result.rows[0]!.n);
    if (n > 0) counts[table.name] = n;
    total += n;
  }
  return { total, tables: counts };
}
