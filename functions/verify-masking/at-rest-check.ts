import type { MaskingRuleConfig } from '../shared/config/schema.js';
import type { TableInfo } from '../shared/database/catalog.js';
import { quoteIdent } from '../shared/database/identifiers.js';
import type { PgClient } from '../shared/database/pg-client.js';
import type { RestScan } from '../shared/ports/snapshot-provider.js';
import type { MaskingEvidence } from './masking-checks.js';

/**
 * A random sample of the source's distinct original values of every masked column, to look for in
 * the clone's files. Kept in memory only, handed to the scanner on stdin, never reported.
 */
export async function sourceSample(
  source: PgClient,
  table: TableInfo,
  rules: readonly MaskingRuleConfig[],
  perColumn: number,
): Promise<string[]> {
  const out: string[] = [];
  for (const rule of rules) {
    const col = quoteIdent(rule.column);
    const result = await source.query<{ v: string }>(
      `SELECT v FROM (SELECT DISTINCT ${col}::text AS v FROM ${table.sql} WHERE ${col} IS NOT NULL) d
        ORDER BY random() LIMIT $1`,
      [perColumn],
    );
    out.push(...result.rows.map((r) => r.v));
  }
  return out;
}

/** The at-rest scan as evidence: any sample value found in any file fails verification. */
export function atRestEvidence(scan: RestScan): MaskingEvidence {
  if (scan.kind === 'unreachable') {
    return {
      check: 'atRest',
      table: '*',
      passed: true,
      count: 0,
      detail: `files not scanned: ${scan.reason}`,
    };
  }
  const where = scan.hitFiles.length ? ` in ${scan.hitFiles.slice(0, 5).join(', ')}` : '';
  return {
    check: 'atRest',
    table: '*',
    passed: scan.found === 0,
    count: scan.found,
    detail:
      `${scan.found} of ${scan.searched} sampled source values found in ${scan.files} files ` +
      `(${scan.bytes} bytes, every byte searched)${where}` +
      (scan.skipped ? `; ${scan.skipped} values too short or multi-line to search` : ''),
    scan: {
      files: scan.files,
      bytes: scan.bytes,
      searched: scan.searched,
      skipped: scan.skipped,
      found: scan.found,
    },
  };
}
