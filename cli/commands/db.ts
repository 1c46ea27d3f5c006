import { resolve } from 'node:path';
import {
  localDatabaseUrl,
  readDatabasePassword,
} from '../../functions/shared/adapters/local/database-password.js';
import { loadConfig } from '../../functions/shared/config/index.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';
import { NotFoundError } from '../../functions/shared/errors.js';
import { type CommonOptions, dataDirOf } from '../client/cli-context.js';
import { CliError, ExitCode } from '../client/cli-error.js';
import { emit } from '../client/output.js';

export interface DbUrlOptions extends CommonOptions {
  /** Where tollgate.config.ts is (default: the current directory). */
  readonly repo?: string;
}

/**
 * `tollgate db url ENV`: the environment's local database URL, password included, for psql,
 * pg_dump or an app started by hand. The password is the one the runtime generated for the volume
 * (`<data-dir>/secrets/postgres-ENV.json`); this reads it and never creates one.
 */
export async function dbUrlCommand(environment: string, options: DbUrlOptions): Promise<void> {
  if (options.aws) {
    throw new CliError(
      'db url prints a local database URL; with --aws read the database secret from Secrets Manager',
      ExitCode.Usage,
    );
  }
  const config = await loadConfig(resolve(options.repo ?? process.cwd()));
  const port = databasePort(config, environment);
  let password: string;
  try {
    password = readDatabasePassword(dataDirOf(options), environment);
  } catch (error) {
    if (error instanceof NotFoundError) throw new CliError(error.message, ExitCode.Unreachable);
    throw error;
  }
  const url = localDatabaseUrl('127.0.0.1', port, password);
  emit(options.json, { environment, url }, () => [url]);
}

/** The port `tollgate up` serves the environment's volume on; unknown or database-less is a usage error. */
function databasePort(config: TollgateConfig, environment: string): number {
  const env = config.environments.find((e) => e.name === environment);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new CliError(`unknown environment "${environment}"; the config has: ${known}`, ExitCode.Usage);
  }
  if (!env.database?.port) {
    throw new CliError(
      `environment "${environment}" has no local database; give it environments[].database.port`,
      ExitCode.Usage,
    );
  }
  return env.database.port;
}
