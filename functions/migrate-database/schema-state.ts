import { createHash } from 'node:crypto';
import type { PgClient } from '../shared/database/pg-client.js';

/**
 * What a migration tool's run changed, read from the database around it, since Tollgate cannot
 * parse every tool's output: the rows each well-known tool adds to its own history table (the
 * migrations it applied, by the tool's names), and a fingerprint of the schema (columns, indexes,
 * constraints) for a tool whose table is not known here.
 */
export interface SchemaState {
  readonly fingerprint: string;
  /** History table → the migration names it holds. */
  readonly history: Readonly<Record<string, readonly string[]>>;
}

/** Each tool's default history table and the column naming a migration. */
const HISTORY_TABLES: ReadonlyArray<readonly [table: string, column: string]> = [
  ['pgmigrations', 'name'], // node-pg-migrate
  ['knex_migrations', 'name'], // knex
  ['_prisma_migrations', 'migration_name'], // prisma (rolled-back attempts stay, finished_at null)
  ['flyway_schema_history', 'script'], // flyway
  ['schema_migrations', 'version'], // dbmate, golang-migrate, rails
  ['"SequelizeMeta"', 'name'], // sequelize, umzug
  ['alembic_version', 'version_num'], // alembic: one row, replaced
  ['schemaversion', 'name'], // postgrator
];

const USER_SCHEMAS = "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

export async function readSchemaState(client: PgClient): Promise<SchemaState> {
  const parts = await Promise.all([
    client.query(
      `SELECT table_schema, table_name, column_name, data_type, is_nullable, column_default
       FROM information_schema.columns WHERE table_schema ${USER_SCHEMAS}
       ORDER BY 1, 2, ordinal_position`,
    ),
    client.query(
      `SELECT schemaname, indexname, indexdef FROM pg_indexes WHERE schemaname ${USER_SCHEMAS} ORDER BY 1, 2`,
    ),
    client.query(
      `SELECT n.nspname, c.conname, pg_get_constraintdef(c.oid) AS def FROM pg_constraint c
       JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname ${USER_SCHEMAS} ORDER BY 1, 2, 3`,
    ),
  ]);
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(parts.map((p) => p.rows)))
    .digest('hex');
  const history: Record<string, string[]> = {};
  for (const [table, column] of HISTORY_TABLES) {
    const exists = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [
      table,
    ]);
    if (!exists.rows[0]?.present) continue;
    const rows = await client.query<{ name: string }>(`SELECT ${column}::text AS name FROM ${table}`);
    history[table.replaceAll('"', '')] = rows.rows.map((r) => r.name).sort();
  }
  return { fingerprint, history };
}

/**
 * The migrations the run applied: new names in the tools' history tables, in table order; when no
 * known table gained one but the schema changed, one entry saying so, so the pipeline still runs
 * the backward-compatibility check on it.
 */
export function appliedBetween(before: SchemaState, after: SchemaState): string[] {
  const added = Object.entries(after.history).flatMap(([table, names]) => {
    const had = new Set(before.history[table] ?? []);
    return names.filter((n) => !had.has(n)).map((n) => `${table}: ${n}`);
  });
  if (added.length) return added;
  return before.fingerprint === after.fingerprint
    ? []
    : ['schema changed (no known migration table named it)'];
}
