import { ConfigError } from '../errors.js';
import { quoteTable } from './identifiers.js';
import type { PgClient } from './pg-client.js';

export interface ColumnInfo {
  readonly name: string;
  /** `format_type` output, e.g. `text`, `character varying(40)`, `bigint`. */
  readonly type: string;
  /** Base type name from pg_type, e.g. `varchar`, `text`, `int8`. */
  readonly baseType: string;
  readonly notNull: boolean;
  /** Declared length of varchar/char columns; undefined when unbounded. */
  readonly maxLength?: number;
}

export interface TableInfo {
  /** The config name, e.g. `customers` or `public.customers`. */
  readonly name: string;
  /** Safely quoted form for SQL. */
  readonly sql: string;
  readonly columns: ReadonlyMap<string, ColumnInfo>;
  /** Primary key columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
}

/** Looks a config table up in the catalog; unknown tables are a config error, named. */
export async function describeTable(client: PgClient, table: string): Promise<TableInfo> {
  const sql = quoteTable(table);
  // to_regclass takes the quoted name as a parameter, so the catalog lookup itself cannot be injected.
  const found = await client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [sql]);
  const oid = found.rows[0]?.oid;
  if (oid === null || oid === undefined) throw new ConfigError(`table "${table}" does not exist`);
  const columns = await client.query<{
    name: string;
    type: string;
    base: string;
    notnull: boolean;
    typmod: number;
  }>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, t.typname AS base,
            a.attnotnull AS notnull, a.atttypmod AS typmod
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const pk = await client.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_index i
       JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) ON true
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1 AND i.indisprimary
      ORDER BY k.ord`,
    [oid],
  );
  const map = new Map<string, ColumnInfo>();
  for (const c of columns.rows) {
    const bounded = (c.base === 'varchar' || c.base === 'bpchar') && c.typmod > 4;
    map.set(c.name, {
      name: c.name,
      type: c.type,
      baseType: c.base,
      notNull: c.notnull,
      ...(bounded ? { maxLength: c.typmod - 4 } : {}),
    });
  }
  return { name: table, sql, columns: map, primaryKey: pk.rows.map((r) => r.name) };
}

export function requireColumn(table: TableInfo, column: string, context: string): ColumnInfo {
  const info = table.columns.get(column);
  if (!info) throw new ConfigError(`${context}: table "${table.name}" has no column "${column}"`);
  return info;
}

export const TEXT_TYPES: ReadonlySet<string> = new Set(['text', 'varchar', 'bpchar', 'citext', 'name']);

/** Whether a config table exists (a table only the release's migrations create does not, yet). */
export async function tableExists(client: PgClient, table: string): Promise<boolean> {
  const found = await client.query<{ oid: number | null }>('SELECT to_regclass($1)::oid AS oid', [
    quoteTable(table),
  ]);
  return found.rows[0]?.oid !== null && found.rows[0]?.oid !== undefined;
}
