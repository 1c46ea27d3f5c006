import type { WaitingClock } from '../shared/clock.js';
import type { MigrateCommandConfig } from '../shared/config/command-schema.js';
import { withClient } from '../shared/database/pg-client.js';
import { MigrationFailedError } from '../shared/errors.js';
import type { TestRunner } from '../shared/ports/test-runner.js';
import {
  type CommandEvidence,
  type ReleaseCommandTarget,
  runReleaseCommand,
} from '../shared/release-command.js';
import { appliedBetween, readSchemaState } from './schema-state.js';

export interface CommandMigrationResult {
  /** What the tool applied, by its own names (see schema-state.ts); empty when it had nothing to do. */
  readonly applied: ReadonlyArray<{ readonly name: string }>;
  /** Kept whether it passed or not: the tool's own account of what it did. */
  readonly command: CommandEvidence;
}

/** The lines of a failed tool's output the error message carries (the evidence keeps 20). */
const MESSAGE_LINES = 3;

/**
 * `database.migrate.command`: the team's migration tool runs in the release's tree against the
 * environment's database. Its exit code decides; the schema is read before and after, so the
 * pipeline knows whether anything was applied (the backward-compatibility check runs only then).
 * The tool keeps its own history and transactions: a re-invoked task runs it again, and a tool
 * that skips what it applied (they all do) makes that a no-op.
 */
export async function migrateWithCommand(
  input: {
    readonly connectionString: string;
    readonly migrate: MigrateCommandConfig;
    readonly target: ReleaseCommandTarget;
  },
  ports: { readonly testRunner: TestRunner; readonly clock: WaitingClock },
): Promise<CommandMigrationResult> {
  const schema = () =>
    withClient(input.connectionString, readSchemaState, { applicationName: 'tollgate-migrate' });
  const before = await schema();
  const command = await runReleaseCommand(
    ports.testRunner,
    input.target,
    { name: 'migrate', run: input.migrate.command, timeout: input.migrate.timeout },
    ports.clock,
  );
  if (command.failure) {
    // The tool's own error lines where it printed any, else its last lines.
    const why = command.errors?.length
      ? command.errors.slice(0, MESSAGE_LINES)
      : command.output.slice(-MESSAGE_LINES);
    const tail = why.join(' / ');
    // As run-tests does: the summary, then the evidence JSON, so the history keeps the output
    // (tollgate show prints the summary and stops at the evidence).
    throw new MigrationFailedError(
      `database.migrate.command \`${command.command}\` ${command.failure}${tail ? `: ${tail}` : ''} | evidence: ${JSON.stringify({ command })}`,
      { details: { command } },
    );
  }
  const applied = appliedBetween(before, await schema()).map((name) => ({ name }));
  return { applied, command };
}
