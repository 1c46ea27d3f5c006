import type { Clock } from '../shared/clock.js';
import type { DataCheckConfig } from '../shared/config/schema.js';
import { describePgError } from '../shared/database/masked-value.js';
import { inTransaction, withClient } from '../shared/database/pg-client.js';
import { ConfigError, DataCheckFailedError, TollgateError } from '../shared/errors.js';
import { checkName, type DataCheckEvidence, runCheck } from './data-checks.js';

export interface CheckDataInput {
  readonly connectionString: string;
  readonly checks: readonly DataCheckConfig[];
  /** Row counts recorded when the source was snapshotted, by table. */
  readonly sourceRowCounts?: Readonly<Record<string, number>>;
}

export interface CheckDataResult {
  readonly passed: boolean;
  readonly durationMs: number;
  readonly evidence: DataCheckEvidence[];
}

/** Failure carries every check's evidence so the console can show what passed as well. */
class DataChecksFailedError extends DataCheckFailedError {
  constructor(
    message: string,
    readonly evidence: DataCheckEvidence[],
  ) {
    super(message);
  }
}

/**
 * Runs every configured check inside one read-only transaction: all checks see the same data, and
 * a `sql` check from config cannot change anything even if it tries.
 */
export async function checkData(input: CheckDataInput, ports: { clock: Clock }): Promise<CheckDataResult> {
  const started = ports.clock.now().getTime();
  const evidence = await withClient(
    input.connectionString,
    (client) =>
      inTransaction(
        client,
        async () => {
          const out: DataCheckEvidence[] = [];
          for (const check of input.checks) {
            const name = checkName(check);
            try {
              const { count, sample } = await runCheck(client, check, input.sourceRowCounts);
              out.push({ check: name, type: check.type, passed: count === 0, count, sample });
            } catch (cause) {
              if (cause instanceof ConfigError && !cause.message.startsWith('check "')) {
                throw new ConfigError(`check "${name}": ${cause.message}`, { cause });
              }
              if (cause instanceof TollgateError) throw cause;
              const pg = describePgError(cause);
              throw new DataCheckFailedError(`check "${name}" could not run: ${pg.code} ${pg.message}`, {
                cause,
              });
            }
          }
          return out;
        },
        'READ ONLY',
      ),
    { applicationName: 'tollgate-check-data' },
  );
  const durationMs = Math.max(0, ports.clock.now().getTime() - started);
  const failed = evidence.filter((e) => !e.passed);
  if (failed.length > 0) {
    const summary = failed.map((e) => `${e.check} (${e.count})`).join('; ');
    throw new DataChecksFailedError(
      `${failed.length} of ${evidence.length} data checks failed: ${summary}`,
      evidence,
    );
  }
  return { passed: true, durationMs, evidence };
}
