import type { DataCheckConfig } from '../shared/config/schema.js';
import { describeTable, requireColumn, type TableInfo } from '../shared/database/catalog.js';
import { quoteIdent } from '../shared/database/identifiers.js';
import { maskValue } from '../shared/database/masked-value.js';
import type { PgClient } from '../shared/database/pg-client.js';
import { ConfigError } from '../shared/errors.js';
import type { CommandEvidence } from '../shared/release-command.js';

/** The checks that are queries on the database; `command` checks run in the release's tree. */
export type QueryCheckConfig = Exclude<DataCheckConfig, { type: 'command' }>;

/** What the console and `tollgate show` display for one check. Sample keys are masked. */
export interface DataCheckEvidence {
  readonly check: string;
  readonly type: DataCheckConfig['type'];
  readonly passed: boolean;
  readonly count: number;
  readonly sample: string[];
  /** A `command` check's run: exit code and output (its count is 1 when it failed). */
  readonly command?: CommandEvidence;
}

const SAMPLE = 5;

export function checkName(check: DataCheckConfig): string {
  if (check.type === 'sql' || check.type === 'command') return check.name;
  if (check.name) return check.name;
  switch (check.type) {
    case 'unique':
      return `unique ${check.table}(${check.columns.join(', ')})${check.ignoreCase ? ' ignoring case' : ''}`;
    case 'notNull':
      return `not null ${check.table}.${check.column}`;
    case 'foreignKey':
      return `foreign key ${check.table}.${check.column} -> ${check.references.table}.${check.references.column}`;
    case 'rowCountMatchesSource':
      return `row count ${check.table} matches source`;
  }
}

/** A key to show for a row: its primary key, or its physical position when it has none. */
const rowKey = (t: TableInfo, alias: string) =>
  t.primaryKey.length === 0
    ? `${alias}.ctid::text`
    : t.primaryKey.length === 1
      ? `${alias}.${quoteIdent(t.primaryKey[0])}::text`
      : `ROW(${t.primaryKey.map((c) => `${alias}.${quoteIdent(c)}`).join(', ')})::text`;

/** Runs one check and returns its violation count and up to 5 violating keys, masked. */
export async function runCheck(
  client: PgClient,
  check: QueryCheckConfig,
  sourceRowCounts: Readonly<Record<string, number>> | undefined,
): Promise<{ count: number; sample: string[] }> {
  switch (check.type) {
    case 'sql':
      return { count: await sqlCount(client, check.name, check.sql), sample: [] };
    case 'unique': {
      const t = await describeTable(client, check.table);
      const cols = check.columns.map((c) => {
        const info = requireColumn(t, c, `check "${checkName(check)}"`);
        const q = `t.${quoteIdent(info.name)}`;
        return check.ignoreCase ? `lower(${q}::text)` : q;
      });
      // Rows with a NULL in the key never conflict, as in a Postgres UNIQUE constraint.
      const result = await client.query<{ k: string; total: string }>(
        `SELECT ROW(${cols.join(', ')})::text AS k, count(*) OVER () AS total
           FROM ${t.sql} t WHERE ${cols.map((c) => `${c} IS NOT NULL`).join(' AND ')}
          GROUP BY ${cols.join(', ')} HAVING count(*) > 1 ORDER BY 1 LIMIT ${SAMPLE}`,
      );
      return {
        count: Number(result.rows[0]?.total ?? 0),
        sample: result.rows.map((r) => maskValue(unrow(r.k))),
      };
    }
    case 'notNull': {
      const t = await describeTable(client, check.table);
      const col = quoteIdent(requireColumn(t, check.column, `check "${checkName(check)}"`).name);
      return keyedViolations(client, `FROM ${t.sql} t WHERE t.${col} IS NULL`, rowKey(t, 't'));
    }
    case 'foreignKey': {
      const t = await describeTable(client, check.table);
      const r = await describeTable(client, check.references.table);
      const col = quoteIdent(requireColumn(t, check.column, `check "${checkName(check)}"`).name);
      const ref = quoteIdent(requireColumn(r, check.references.column, `check "${checkName(check)}"`).name);
      return keyedViolations(
        client,
        `FROM ${t.sql} t WHERE t.${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${r.sql} r WHERE r.${ref} = t.${col})`,
        rowKey(t, 't'),
      );
    }
    case 'rowCountMatchesSource': {
      const expected = sourceRowCounts?.[check.table];
      if (expected === undefined) {
        throw new ConfigError(
          `check "${checkName(check)}": no source row count recorded for table "${check.table}"`,
        );
      }
      const t = await describeTable(client, check.table);
      const actual = Number(
        (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${t.sql}`)).rows[0].n,
      );
      return { count: Math.abs(actual - expected), sample: [] };
    }
  }
}

async function keyedViolations(client: PgClient, from: string, key: string) {
  const result = await client.query<{ k: string; total: string }>(
    `SELECT ${key} AS k, count(*) OVER () AS total ${from} ORDER BY 1 LIMIT ${SAMPLE}`,
  );
  return { count: Number(result.rows[0]?.total ?? 0), sample: result.rows.map((r) => maskValue(r.k)) };
}

/** A one-column ROW(...)::text is `(value)`; show the bare value's mask like the other checks. */
function unrow(text: string): string {
  return text.startsWith('(') && text.endsWith(')') ? text.slice(1, -1) : text;
}

/** A `sql` check must return exactly one row with one non-negative integer column. */
async function sqlCount(client: PgClient, name: string, sql: string): Promise<number> {
  const result = await client.query(sql);
  const row = result.rows[0] as Record<string, unknown> | undefined;
  const values = row ? Object.values(row) : [];
  if (result.rows.length !== 1 || values.length !== 1) {
    throw new ConfigError(
      `check "${name}": the query must return one row with one column (a violation count)`,
    );
  }
  const count = Number(values[0]);
  if (!Number.isInteger(count) || count < 0) {
    throw new ConfigError(
      `check "${name}": the query returned a non-count value; return count(*) of violations`,
    );
  }
  return count;
}
