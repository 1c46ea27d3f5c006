import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '../../functions/migrate-database/migrate-database.js';
import { loadMigrationsFromDir } from '../../functions/migrate-database/migration-files.js';
import { systemClock } from '../../functions/shared/clock.js';
import type { TollgateConfig } from '../../functions/shared/config/schema.js';

interface FirstDataInput {
  readonly config: TollgateConfig;
  readonly projectDir: string;
  /** The source environment's database, as `tollgate up` serves it. */
  readonly connectionString: (environment: string) => string;
  readonly say: (line: string) => void;
}

type FirstDataOutcome =
  | { readonly kind: 'not-local' }
  | { readonly kind: 'has-data'; readonly environment: string }
  | { readonly kind: 'advised'; readonly environment: string }
  | { readonly kind: 'seeded'; readonly environment: string; readonly rows: number }
  | { readonly kind: 'seed-failed'; readonly environment: string; readonly reason: string };

/**
 * What the first `tollgate up` on a repository does about an empty source database (prod): every
 * refresh clones it, so an empty prod tests each release on nothing. With `database.seed` the
 * working tree's migrations are applied (recorded in tollgate_migrations, as the pipeline would,
 * so its first run skips them; or `database.migrate.command` runs, whose tool records its own) and
 * the command fills it; without, it says how to fill it.
 */
export async function ensureFirstData(input: FirstDataInput): Promise<FirstDataOutcome> {
  const { config, say } = input;
  const source = config.database?.source;
  if (!source || !config.environments.some((e) => e.name === source && e.database?.port))
    return { kind: 'not-local' };
  const url = input.connectionString(source);
  if ((await countRows(url)) > 0) return { kind: 'has-data', environment: source };
  const seed = config.database?.seed;
  if (!seed) {
    say(
      `  ${source} has no data yet, so refreshes would test on nothing: give database.seed.command in ` +
        `tollgate.config.ts, or load a dump: npx tollgate db import ${source} dump.sql`,
    );
    return { kind: 'advised', environment: source };
  }
  const migrationsDir = join(input.projectDir, config.database!.migrations);
  const tool = config.database?.migrate?.command;
  if (tool) {
    // The team's tool on the working tree, as the pipeline runs it on a release's tree.
    say(`  migrating ${source} with \`${tool}\` before seeding`);
    const exit = await runInRepository(tool, input.projectDir, url);
    if (exit !== 0) {
      const reason = `\`${tool}\` exited with code ${exit}`;
      say(`  migrating ${source} failed: ${reason} (its output is in the log)`);
      return { kind: 'seed-failed', environment: source, reason };
    }
  } else if (existsSync(migrationsDir)) {
    await migrateDatabase(
      { connectionString: url, migrations: loadMigrationsFromDir(migrationsDir) },
      { clock: systemClock },
    );
  }
  say(`  ${source} has no data yet: seeding it with \`${seed.command}\``);
  const exit = await runInRepository(seed.command, input.projectDir, url);
  if (exit !== 0) {
    const reason = `\`${seed.command}\` exited with code ${exit}`;
    say(`  seeding ${source} failed: ${reason} (its output is in the log)`);
    return { kind: 'seed-failed', environment: source, reason };
  }
  const rows = await countRows(url);
  say(`  ${source} seeded: ${rows} rows`);
  return { kind: 'seeded', environment: source, rows };
}

/** Rows in the database's tables, Tollgate's own migration record left out. */
async function countRows(connectionString: string): Promise<number> {
  const client = new pg.Client({ connectionString, application_name: 'tollgate-first-data' });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'tollgate_migrations'`,
    );
    let total = 0;
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${name}`);
      total += Number(rows[0]?.n ?? 0);
    }
    return total;
  } finally {
    await client.end();
  }
}

/** A command (seed, migration tool) in the repository through the shell; its output goes where tollgate up logs. */
function runInRepository(command: string, cwd: string, databaseUrl: string): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(command, {
      cwd,
      shell: true,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => process.stdout.write(chunk));
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.once('error', fail);
    child.once('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}
