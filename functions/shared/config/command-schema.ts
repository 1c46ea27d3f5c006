import * as z from 'zod';
import { durationSetting } from './duration.js';

/**
 * The team's own tools where Tollgate has a built-in: `database.migrate.command` instead of the
 * `NNNN_name.sql` runner, and `{type: 'command'}` data checks beside the SQL ones (a dbt project's
 * tests). Both run as test stages do: in the release's unpacked tree, DATABASE_URL set to the
 * environment's database, the exit code decides and the output is kept as evidence.
 */
const shellCommand = (example: string) =>
  z.string().trim().min(1, `give the shell command to run, e.g. "${example}"`);

export const migrateCommand = z.strictObject({
  /** Run in the release's unpacked tree with DATABASE_URL set, e.g. `npx prisma migrate deploy`. */
  command: shellCommand('npx node-pg-migrate up'),
  /** The command's whole process group is stopped after this long and the migration fails. */
  timeout: durationSetting('database.migrate.timeout').default(900),
});

export const commandCheck = z.strictObject({
  type: z.literal('command'),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w.-]{0,62}$/, 'must be 1-63 letters, digits, "_", "." or "-", e.g. "dbt-tests"'),
  /** Run in the release's unpacked tree with DATABASE_URL set; exit code 0 passes. */
  run: shellCommand('dbt test --select orders'),
  timeout: durationSetting('database.checks[].timeout').default(600),
});

export type MigrateCommandConfig = z.output<typeof migrateCommand>;
