import type { MaskingRuleConfig } from '../shared/config/schema.js';
import type { TableInfo } from '../shared/database/catalog.js';
import { quoteIdent } from '../shared/database/identifiers.js';
import type { PgClient } from '../shared/database/pg-client.js';

/** One negative check's outcome. Counts only: no value from either database ever lands here. */
export interface MaskingEvidence {
  readonly check: 'rowCount' | 'emailDomains' | 'sampleDiffers' | 'nullRule' | 'atRest' | 'skipped';
  readonly table: string;
  readonly column?: string;
  readonly passed: boolean;
  /** Violations found (0 when passed). */
  readonly count: number;
  readonly detail: string;
  /** For `atRest`: what the byte search covered (counts only). */
  readonly scan?: {
    readonly files: number;
    readonly bytes: number;
    readonly searched: number;
    readonly skipped: number;
    readonly found: number;
  };
}

const domainOf = (col: string) => `lower(split_part(${col}::text, '@', 2))`;

/** Distinct e-mail domains present in the source column (kept in memory, never reported). */
export async function sourceDomains(source: PgClient, table: TableInfo, column: string): Promise<string[]> {
  const col = quoteIdent(column);
  const result = await source.query<{ d: string }>(
    `SELECT DISTINCT ${domainOf(col)} AS d FROM ${table.sql} WHERE ${col} IS NOT NULL`,
  );
  return result.rows.map((r) => r.d).filter((d) => d.length > 0);
}

export async function checkEmailDomains(
  target: PgClient,
  table: TableInfo,
  column: string,
  domains: readonly string[],
): Promise<MaskingEvidence> {
  const col = quoteIdent(column);
  const result = await target.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${table.sql} WHERE ${domainOf(col)} = ANY($1::text[])`,
    [domains],
  );
  const count = Number(result.rows[0].n);
  return {
    check: 'emailDomains',
    table: table.name,
    column,
    passed: count === 0,
    count,
    detail: `${count} masked values on any of the ${domains.length} source domains`,
  };
}

export async function checkNullRule(
  target: PgClient,
  table: TableInfo,
  column: string,
): Promise<MaskingEvidence> {
  const result = await target.query<{ n: string }>(
    `SELECT count(${quoteIdent(column)}) AS n FROM ${table.sql}`,
  );
  const count = Number(result.rows[0].n);
  return {
    check: 'nullRule',
    table: table.name,
    column,
    passed: count === 0,
    count,
    detail: `${count} values left non-NULL by the null rule`,
  };
}

/**
 * Compares masked and source values for a random sample of primary keys. A masked value equal to
 * its original, or a value the masking turned into NULL, is a violation.
 */
export async function checkSample(
  target: PgClient,
  source: PgClient,
  table: TableInfo,
  rules: readonly MaskingRuleConfig[],
  sampleSize: number,
): Promise<MaskingEvidence[]> {
  const compared = rules.filter((r) => r.rule !== 'null');
  if (compared.length === 0) return [];
  const key = `ROW(${table.primaryKey.map(quoteIdent).join(', ')})::text`;
  const cols = compared.map((r, i) => `${quoteIdent(r.column)}::text AS c${i}`).join(', ');
  const sampled = await target.query<Record<string, string | null>>(
    `SELECT ${key} AS k, ${cols} FROM ${table.sql} ORDER BY random() LIMIT $1`,
    [sampleSize],
  );
  const keys = sampled.rows.map((r) => r.k as string);
  const original = await source.query<Record<string, string | null>>(
    `SELECT ${key} AS k, ${cols} FROM ${table.sql} WHERE ${key} = ANY($1::text[])`,
    [keys],
  );
  const byKey = new Map(original.rows.map((r) => [r.k as string, r]));
  return compared.map((rule, i) => {
    let matched = 0;
    let equal = 0;
    let nulledOut = 0;
    for (const row of sampled.rows) {
      const before = byKey.get(row.k as string);
      if (!before) continue;
      matched += 1;
      const was = before[`c${i}`];
      const now = row[`c${i}`];
      if (was !== null && now === null) nulledOut += 1;
      else if (was !== null && was === now) equal += 1;
    }
    const unmatched = keys.length > 0 && matched === 0;
    return {
      check: 'sampleDiffers',
      table: table.name,
      column: rule.column,
      passed: equal === 0 && nulledOut === 0 && !unmatched,
      count: equal + nulledOut + (unmatched ? keys.length : 0),
      detail: unmatched
        ? `none of the ${keys.length} sampled keys exist in the source; is the primary key masked?`
        : `${matched} sampled rows: ${equal} unchanged, ${nulledOut} turned NULL`,
    };
  });
}

export function checkRowCount(table: string, source: number, target: number): MaskingEvidence {
  const count = Math.abs(source - target);
  return {
    check: 'rowCount',
    table,
    passed: count === 0,
    count,
    detail: `source ${source} rows, masked ${target} rows`,
  };
}
