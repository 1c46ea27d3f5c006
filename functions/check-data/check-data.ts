import type { Clock } from '../shared/clock.js';
import type { DataCheckConfig } from '../shared/config/schema.js';
import { describePgError } from '../shared/database/masked-value.js';
import { inTransaction, withClient } from '../shared/database/pg-client.js';
import { ConfigError, DataCheckFailedError, TollgateError } from '../shared/errors.js';
import type { CommandEvidence } from '../shared/release-command.js';
import { checkName, type DataCheckEvidence, type QueryCheckConfig, runCheck } from './data-checks.js';

type CommandCheckConfig = Extract<DataCheckConfig, { type: 'command' }>;

/** Runs one `command` check in the release's tree (see release-command.ts) and says how it went. */
export type CommandCheckRunner = (check: CommandCheckConfig) => Promise<CommandEvidence>;

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
 * Runs every query check inside one read-only transaction: all checks see the same data, and a
 * `sql` check from config cannot change anything even if it tries. Then each `command` check (a
 * dbt project's tests, say) in the release's tree; a command can write, so it runs after the
 * queries have read. Every check runs even after one failed, so the evidence shows them all.
 */
export async function checkData(
  input: CheckDataInput,
  ports: { clock: Clock; runCommand?: CommandCheckRunner },
): Promise<CheckDataResult> {
  const started = ports.clock.now().getTime();
  const queries = input.checks.filter((c): c is QueryCheckConfig => c.type !== 'command');
  const commands = input.checks.filter((c): c is CommandCheckConfig => c.type === 'command');
  if (commands.length && !ports.runCommand)
    throw new ConfigError(
      `check "${commands[0]!.name}" is a command, which runs in a release's tree; the pipeline passes the release`,
    );
  const queried = await withClient(
    input.connectionString,
    (client) =>
      inTransaction(
        client,
        async () => {
          const out: DataCheckEvidence[] = [];
          for (const check of queries) {
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
  const evidence = [...queried];
  for (const check of commands) {
    const command = await ports.runCommand!(check);
    const passed = !command.failure;
    evidence.push({ check: check.name, type: 'command', passed, count: passed ? 0 : 1, sample: [], command });
  }
  const durationMs = Math.max(0, ports.clock.now().getTime() - started);
  const failed = evidence.filter((e) => !e.passed);
  if (failed.length > 0) {
    const summary = failed
      .map((e) => (e.command ? `${e.check} (${e.command.failure})` : `${e.check} (${e.count})`))
      .join('; ');
    // A failed command's output is why it failed: kept in the history after the summary, as
    // run-tests keeps its evidence (tollgate show stops at it).
    const outputs = failed.filter((e) => e.command).map((e) => ({ check: e.check, command: e.command }));
    throw new DataChecksFailedError(
      `${failed.length} of ${evidence.length} data checks failed: ${summary}${outputs.length ? ` | evidence: ${JSON.stringify(outputs)}` : ''}`,
      evidence,
    );
  }
  return { passed: true, durationMs, evidence };
}
