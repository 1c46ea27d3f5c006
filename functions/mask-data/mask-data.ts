import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import type { MaskingRuleConfig } from '../shared/config/schema.js';
import {
  describeTable,
  requireColumn,
  type TableInfo,
  TEXT_TYPES,
  tableExists,
} from '../shared/database/catalog.js';
import { quoteIdent } from '../shared/database/identifiers.js';
import { describePgError } from '../shared/database/masked-value.js';
import { inTransaction, type PgClient, withClient } from '../shared/database/pg-client.js';
import { ConfigError, InvalidInputError, MaskingFailedError, TollgateError } from '../shared/errors.js';
import { MAX_MASKED_LENGTH, maskExpression, USES_SALT } from './mask-expressions.js';
import { type RewriteReport, rewriteMaskedTables } from './rewrite-tables.js';

export interface MaskDataInput {
  readonly connectionString: string;
  readonly rules: readonly MaskingRuleConfig[];
  /** Per-run secret salt; at least 16 characters. Never logged, never returned. */
  readonly salt: string;
  /** Idempotency key (execution ARN + state name): a re-invoked task does not mask twice. */
  readonly runKey: string;
}

export interface MaskDataReport {
  readonly rules: Array<{ table: string; column: string; rule: MaskingRuleConfig['rule']; rows: number }>;
  readonly tables: Array<{ table: string; rows: number; durationMs: number }>;
  readonly totalRows: number;
  readonly durationMs: number;
  /** Rows rewritten per second; null when the clock saw no time pass. */
  readonly rowsPerSecond: number | null;
  /** True when this run key had already masked the database; the stored report is returned. */
  readonly alreadyApplied: boolean;
  /** Rules on tables the cloned data does not have (the release's own migrations create them). */
  readonly skipped: Array<{ table: string; column: string; note: string }>;
  /** The masked tables rewritten so no original value is left in dead tuples, indexes or statistics. */
  readonly rewrite: RewriteReport;
}

export const SKIPPED_TABLE_NOTE =
  'not in the cloned data (a table this release creates has no production rows); skipped';

const MIN_SALT_LENGTH = 16;

/**
 * Masks every configured column with one UPDATE per table, all in one transaction together with
 * the run marker: either the whole database is masked exactly once for this run, or nothing is.
 */
export async function maskData(input: MaskDataInput, ports: { clock: Clock }): Promise<MaskDataReport> {
  if (typeof input.salt !== 'string' || input.salt.length < MIN_SALT_LENGTH) {
    throw new InvalidInputError(`mask-data: salt must be at least ${MIN_SALT_LENGTH} characters`);
  }
  if (!input.runKey) throw new InvalidInputError('mask-data: runKey is required');
  const allRules = groupRules(input.rules);
  const runKeyDigest = createHash('sha256').update(input.runKey).digest('hex');

  return withClient(
    input.connectionString,
    async (client) => {
      await client.query(`CREATE TABLE IF NOT EXISTS tollgate_masking_runs (
        run_key_sha256 text PRIMARY KEY, applied_at timestamptz NOT NULL, report jsonb NOT NULL)`);
      const byTable = new Map<string, MaskingRuleConfig[]>();
      const skipped: MaskDataReport['skipped'] = [];
      for (const [table, rules] of allRules) {
        if (await tableExists(client, table)) byTable.set(table, rules);
        else skipped.push(...rules.map((r) => ({ table, column: r.column, note: SKIPPED_TABLE_NOTE })));
      }
      const tables = new Map<string, TableInfo>();
      for (const [table, rules] of byTable) tables.set(table, await validateTable(client, table, rules));

      const masked = await inTransaction(client, async () => {
        // Row lock on the marker: a concurrent duplicate invocation waits, then sees the marker.
        await client.query('LOCK TABLE tollgate_masking_runs IN SHARE ROW EXCLUSIVE MODE');
        const done = await client.query<{ report: MaskDataReport }>(
          'SELECT report FROM tollgate_masking_runs WHERE run_key_sha256 = $1',
          [runKeyDigest],
        );
        if (done.rows[0]) return { ...done.rows[0].report, alreadyApplied: true };

        const started = ports.clock.now().getTime();
        const report = await maskTables(client, byTable, tables, input.salt, ports.clock);
        const durationMs = Math.max(0, ports.clock.now().getTime() - started);
        const totalRows = report.tables.reduce((sum, t) => sum + t.rows, 0);
        const result = {
          ...report,
          totalRows,
          durationMs,
          rowsPerSecond: durationMs > 0 ? Math.round((totalRows * 1000) / durationMs) : null,
          alreadyApplied: false,
          skipped,
        };
        await client.query(
          'INSERT INTO tollgate_masking_runs (run_key_sha256, applied_at, report) VALUES ($1, $2, $3)',
          [runKeyDigest, ports.clock.now(), JSON.stringify(result)],
        );
        return result;
      });
      const rewrite = await rewriteMaskedTables(client, [...tables.values()], ports.clock).catch(
        (cause: unknown) => {
          const pg = describePgError(cause);
          throw new MaskingFailedError(`rewriting the masked tables failed: ${pg.code} ${pg.message}`, {
            cause,
          });
        },
      );
      return { ...masked, skipped, rewrite };
    },
    { applicationName: 'tollgate-mask' },
  );
}

async function maskTables(
  client: PgClient,
  byTable: ReadonlyMap<string, MaskingRuleConfig[]>,
  tables: ReadonlyMap<string, TableInfo>,
  salt: string,
  clock: Clock,
): Promise<Pick<MaskDataReport, 'rules' | 'tables'>> {
  const out: Pick<MaskDataReport, 'rules' | 'tables'> = { rules: [], tables: [] };
  for (const [table, rules] of byTable) {
    const info = tables.get(table)!;
    const cols = rules.map((r) => quoteIdent(r.column));
    const counts = await client.query<Record<string, string>>(
      `SELECT ${cols.map((c, i) => `count(${c}) AS c${i}`).join(', ')} FROM ${info.sql}`,
    );
    const started = clock.now().getTime();
    let updated: number;
    try {
      const set = rules.map((r, i) => `${cols[i]} = ${maskExpression(r.rule, cols[i])}`).join(', ');
      const params = rules.some((r) => USES_SALT.has(r.rule)) ? [salt] : [];
      updated = (await client.query(`UPDATE ${info.sql} SET ${set}`, params)).rowCount ?? 0;
    } catch (cause) {
      const pg = describePgError(cause);
      throw new MaskingFailedError(`masking table "${table}" failed: ${pg.code} ${pg.message}`, { cause });
    }
    out.tables.push({ table, rows: updated, durationMs: Math.max(0, clock.now().getTime() - started) });
    rules.forEach((r, i) => {
      out.rules.push({ table, column: r.column, rule: r.rule, rows: Number(counts.rows[0][`c${i}`]) });
    });
  }
  return out;
}

function groupRules(rules: readonly MaskingRuleConfig[]): Map<string, MaskingRuleConfig[]> {
  const byTable = new Map<string, MaskingRuleConfig[]>();
  const seen = new Set<string>();
  for (const rule of rules) {
    const key = JSON.stringify([rule.table, rule.column]);
    if (seen.has(key)) throw new ConfigError(`masking: ${rule.table}.${rule.column} has more than one rule`);
    seen.add(key);
    byTable.set(rule.table, [...(byTable.get(rule.table) ?? []), rule]);
  }
  return byTable;
}

/** Every problem a rule can have is found before the first UPDATE, so bad config changes nothing. */
async function validateTable(
  client: PgClient,
  table: string,
  rules: MaskingRuleConfig[],
): Promise<TableInfo> {
  const info = await describeTable(client, table).catch((e: unknown) => {
    throw e instanceof TollgateError ? new ConfigError(`masking: ${e.message}`) : e;
  });
  for (const rule of rules) {
    const where = `masking ${table}.${rule.column} (${rule.rule})`;
    const column = requireColumn(info, rule.column, 'masking');
    if (rule.rule === 'null') {
      if (column.notNull) throw new ConfigError(`${where}: the column is NOT NULL; use another rule`);
      continue;
    }
    if (!TEXT_TYPES.has(column.baseType)) {
      throw new ConfigError(`${where}: the column is ${column.type}; this rule needs a text column`);
    }
    if (column.maxLength !== undefined && column.maxLength < MAX_MASKED_LENGTH[rule.rule]) {
      throw new ConfigError(
        `${where}: ${column.type} is too short for masked values of up to ${MAX_MASKED_LENGTH[rule.rule]} characters`,
      );
    }
  }
  return info;
}
