import type { TollgateConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { PortsFactory } from '../ports/tollgate-ports.js';

/**
 * The team's own commands around the data, `database.migrate.command` and `command` data checks,
 * run through the TestRunner port, which the local runtime has for every task; on AWS only
 * run-tests has one (the test-stage CodeBuild project), so migrate-database and check-data have
 * no runner yet. Their Lambdas refuse such a config in one line naming what to remove, instead
 * of failing on the missing port mid-run.
 */
function localOnlyCommands(config: TollgateConfig): string[] {
  const database = config.database;
  if (!database) return [];
  return [
    ...(database.migrate ? ['database.migrate.command'] : []),
    ...database.checks.flatMap((check, i) =>
      check.type === 'command' ? [`database.checks[${i}] (type "command")`] : [],
    ),
  ];
}

/**
 * Why the AWS stack cannot take this config, in one line, or undefined when it can. The stack
 * refuses it at synth with these words; the data Lambdas again at their first run, for a stack
 * deployed before the check existed.
 */
export function localOnlyCommandsRefusal(config: TollgateConfig): string | undefined {
  const found = localOnlyCommands(config);
  return found.length
    ? `${found.join(', ')} run only on the local runtime (tollgate up) for now: the AWS stack has no runner for them; remove them from the config the stack deploys`
    : undefined;
}

/** The AWS ports of a data task, refused when the config holds commands it cannot run there. */
export function refusingLocalOnlyCommands(ports: PortsFactory): PortsFactory {
  return async () => {
    const built = await ports();
    const refusal = localOnlyCommandsRefusal(built.config);
    if (refusal) throw new ConfigError(refusal);
    return built;
  };
}
