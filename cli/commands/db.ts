import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
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
  const url = localDatabaseUrl('127.0.0.1', port, servedPassword(options, environment));
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

/** A `COPY … FROM stdin` block: its rows follow in the file, which only psql streams. */
const COPY_FROM_STDIN = /^\s*COPY\s[^;]*\bFROM\s+stdin\b/im;

/**
 * `tollgate db import ENV FILE.sql`: runs a file of SQL statements (`pg_dump --inserts`, a seed
 * script) in one transaction against the environment's database as `tollgate up` serves it, so a
 * failing statement leaves the database as it was.
 */
export async function dbImportCommand(
  environment: string,
  file: string,
  options: DbUrlOptions,
): Promise<void> {
  if (options.aws) {
    throw new CliError(
      'db import loads a local database; on AWS restore into the database itself',
      ExitCode.Usage,
    );
  }
  const config = await loadConfig(resolve(options.repo ?? process.cwd()));
  const port = databasePort(config, environment);
  const path = resolve(file);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new CliError(`no such file: ${path}`, ExitCode.Usage);
  const sql = readFileSync(path, 'utf8');
  if (COPY_FROM_STDIN.test(sql)) {
    throw new CliError(
      `${path} has COPY … FROM stdin blocks, which only psql can load; dump with pg_dump --inserts instead`,
      ExitCode.Usage,
    );
  }
  const url = localDatabaseUrl('127.0.0.1', port, servedPassword(options, environment));
  const client = new pg.Client({ connectionString: url, application_name: 'tollgate-db-import' });
  try {
    await client.connect();
  } catch {
    throw new CliError(
      `nothing serves ${environment}'s database on 127.0.0.1:${port}; start npx tollgate up (or wait for the refresh holding its volume)`,
      ExitCode.Unreachable,
    );
  }
  try {
    await client.query('BEGIN');
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new CliError(`${path}: ${(error as Error).message}; nothing was imported`, ExitCode.Failure);
  } finally {
    await client.end().catch(() => undefined);
  }
  emit(options.json, { environment, file: path, bytes: Buffer.byteLength(sql) }, () => [
    `imported ${path} into ${environment}`,
  ]);
}

/** The password the runtime generated for the volume; none yet means tollgate up never served it. */
function servedPassword(options: DbUrlOptions, environment: string): string {
  try {
    return readDatabasePassword(dataDirOf(options), environment);
  } catch (error) {
    if (error instanceof NotFoundError) throw new CliError(error.message, ExitCode.Unreachable);
    throw error;
  }
}
