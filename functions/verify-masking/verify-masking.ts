import type { MaskingRuleConfig } from '../shared/config/schema.js';
import { describeTable, requireColumn, type TableInfo, tableExists } from '../shared/database/catalog.js';
import { inTransaction, type PgClient, withClient } from '../shared/database/pg-client.js';
import { countRows } from '../shared/database/row-counts.js';
import { ConfigError, InvalidInputError, MaskingFailedError } from '../shared/errors.js';
import type { RestScan } from '../shared/ports/snapshot-provider.js';
import { atRestEvidence, sourceSample } from './at-rest-check.js';
import {
  checkEmailDomains,
  checkNullRule,
  checkRowCount,
  checkSample,
  type MaskingEvidence,
  sourceDomains,
} from './masking-checks.js';

export interface VerifyMaskingInput {
  /** The masked database. */
  readonly connectionString: string;
  /** The source (production); opened read-only. */
  readonly sourceConnectionString: string;
  readonly rules: readonly MaskingRuleConfig[];
  /** Counts recorded when the source was snapshotted; live source counts are used for tables not listed. */
  readonly sourceRowCounts?: Readonly<Record<string, number>>;
  /** Primary keys sampled per table for the value comparison. */
  readonly sampleSize?: number;
  /**
   * Brings the masked clone to rest and searches all its files for the given source values (the
   * storage provider's `scanAtRest`). Called after every connection to the clone is closed.
   */
  readonly scanAtRest?: (needles: readonly string[]) => Promise<RestScan>;
}

export interface VerifyMaskingResult {
  readonly passed: true;
  readonly evidence: MaskingEvidence[];
}

/** Failure carries the evidence (counts only) for the console alongside the one-line message. */
class MaskingVerificationError extends MaskingFailedError {
  constructor(
    message: string,
    readonly evidence: MaskingEvidence[],
  ) {
    super(message);
  }
}

/**
 * Proves the masking negatively: row counts unchanged, no masked e-mail on a source domain, no
 * sampled value equal to (or nulled from) its original, nothing left by a `null` rule, and (with
 * `scanAtRest`) none of a sample of the source's original values anywhere in the clone's files.
 */
export async function verifyMasking(input: VerifyMaskingInput): Promise<VerifyMaskingResult> {
  const sampleSize = input.sampleSize ?? 200;
  if (!Number.isInteger(sampleSize) || sampleSize < 1 || sampleSize > 10_000) {
    throw new InvalidInputError('verify-masking: sampleSize must be an integer from 1 to 10000');
  }
  if (input.rules.length === 0) throw new ConfigError('verify-masking: there are no masking rules to verify');
  const byTable = new Map<string, MaskingRuleConfig[]>();
  for (const rule of input.rules) byTable.set(rule.table, [...(byTable.get(rule.table) ?? []), rule]);

  // The source is read in one read-only snapshot transaction: nothing can be written to it, and
  // every source figure describes the same moment.
  const checked = await withClient(
    input.sourceConnectionString,
    (source) =>
      inTransaction(
        source,
        () =>
          withClient(
            input.connectionString,
            async (target) => {
              const evidence: MaskingEvidence[] = [];
              const needles: string[] = [];
              for (const [table, rules] of byTable) {
                if (!(await tableExists(target, table))) {
                  evidence.push(skippedTable(table));
                  continue;
                }
                evidence.push(
                  ...(await verifyTable(target, source, table, rules, sampleSize, input.sourceRowCounts)),
                );
                if (input.scanAtRest && (await tableExists(source, table))) {
                  needles.push(
                    ...(await sourceSample(source, await describeTable(source, table), rules, sampleSize)),
                  );
                }
              }
              return { evidence, needles };
            },
            { applicationName: 'tollgate-verify-masking' },
          ),
        'REPEATABLE READ READ ONLY',
      ),
    { applicationName: 'tollgate-verify-masking-source' },
  );
  const evidence = [...checked.evidence];
  if (input.scanAtRest) evidence.push(atRestEvidence(await input.scanAtRest(checked.needles)));
  const failed = evidence.filter((e) => !e.passed);
  if (failed.length > 0) {
    const what = failed
      .map((e) => `${e.check} ${e.table}${e.column ? `.${e.column}` : ''} (${e.detail})`)
      .join('; ');
    throw new MaskingVerificationError(
      `masking verification failed: ${failed.length} of ${evidence.length} checks: ${what}`,
      evidence,
    );
  }
  return { passed: true as const, evidence };
}

/** A rule on a table the cloned data lacks: the release's migrations create it, so it holds nothing yet. */
function skippedTable(table: string): MaskingEvidence {
  return {
    check: 'skipped',
    table,
    passed: true,
    count: 0,
    detail: 'not in the cloned data (a table this release creates has no production rows); skipped',
  };
}

async function verifyTable(
  target: PgClient,
  source: PgClient,
  table: string,
  rules: readonly MaskingRuleConfig[],
  sampleSize: number,
  recorded: Readonly<Record<string, number>> | undefined,
): Promise<MaskingEvidence[]> {
  const info: TableInfo = await describeTable(target, table);
  const sourceInfo: TableInfo = await describeTable(source, table);
  for (const rule of rules) requireColumn(info, rule.column, 'verify-masking');
  if (info.primaryKey.length === 0) {
    throw new ConfigError(`verify-masking: table "${table}" has no primary key to sample by`);
  }
  const evidence: MaskingEvidence[] = [];
  const sourceCount = recorded?.[table] ?? (await countRows(source, [table]))[table];
  const targetCount = (await countRows(target, [table]))[table];
  evidence.push(checkRowCount(table, sourceCount, targetCount));
  for (const rule of rules) {
    if (rule.rule === 'email') {
      const domains = await sourceDomains(source, sourceInfo, rule.column);
      evidence.push(await checkEmailDomains(target, info, rule.column, domains));
    }
    if (rule.rule === 'null') evidence.push(await checkNullRule(target, info, rule.column));
  }
  evidence.push(...(await checkSample(target, source, info, rules, sampleSize)));
  return evidence;
}
