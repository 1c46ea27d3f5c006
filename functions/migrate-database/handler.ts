import { isAbsolute, join } from 'node:path';
import * as z from 'zod';
import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import type { MigrateCommandConfig } from '../shared/config/command-schema.js';
import { connectionStringSchema } from '../shared/database/connection-string.js';
import {
  environmentTarget,
  exactlyOneTarget,
  ONE_TARGET_MESSAGE,
  targetConnection,
} from '../shared/database/task-target.js';
import { InvalidInputError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory, TollgatePorts } from '../shared/ports/tollgate-ports.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { awsArtifacts, awsLedger, awsSnapshots } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { refusingLocalOnlyCommands } from '../shared/wiring/local-only-commands.js';
import { environmentUrl } from '../smoke-test/smoke-test.js';
import { recordCommandMigration, recordMigrations } from './applied-record.js';
import { migrateWithCommand } from './command-migration.js';
import { migrateDatabase } from './migrate-database.js';
import { loadMigrationsFromDir, loadMigrationsFromTarball } from './migration-files.js';

const input = z
  .strictObject({
    connectionString: connectionStringSchema.optional(),
    ...environmentTarget,
    /** Directory of the unpacked release; migrations are read from `<releasePath>/<database.migrations>`. */
    releasePath: z.string().min(1).optional(),
    /** Or the release's artifact key in the ArtifactStore; the tarball is streamed, not unpacked. */
    artifactKey: z.string().min(1).optional(),
    /** The release being migrated to, for the ledger's record of the environment's schema. */
    releaseVersion: z.string().min(1).optional(),
    /** The whole release: `database.migrate.command` runs in its unpacked tree. */
    release: releaseRefSchema.optional(),
  })
  .refine(exactlyOneTarget, { message: ONE_TARGET_MESSAGE })
  .refine((i) => (i.releasePath === undefined) !== (i.artifactKey === undefined), {
    message: 'set exactly one of "releasePath" or "artifactKey"',
  });

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'migrate-database',
      input,
      run: async (event, p) => {
        const dir = p.config.database?.migrations;
        if (!dir) throw new InvalidInputError('migrate-database: the config has no "database" block');
        if (p.config.database?.migrate) return migrateWithTool(event, p.config.database.migrate, p);
        let migrations: Awaited<ReturnType<typeof loadMigrationsFromTarball>>;
        if (event.releasePath !== undefined) {
          if (!isAbsolute(event.releasePath)) {
            throw new InvalidInputError('migrate-database: releasePath must be an absolute path');
          }
          migrations = loadMigrationsFromDir(join(event.releasePath, dir));
        } else {
          migrations = await loadMigrationsFromTarball(await p.artifacts.open(event.artifactKey!), dir);
        }
        const result = await migrateDatabase(
          { connectionString: await targetConnection(event, p), migrations },
          { clock: p.clock },
        );
        await recordMigrations(event, result, p);
        return result;
      },
    },
    ports,
  );

/** `database.migrate.command`: the team's tool in the release's tree, as the pipeline runs it. */
async function migrateWithTool(
  event: z.output<typeof input>,
  migrate: MigrateCommandConfig,
  p: TollgatePorts,
) {
  const { executionArn, stateName, pipeline, environment, release } = event;
  if (!executionArn || !stateName || !pipeline || !environment || !release)
    throw new InvalidInputError(
      "migrate-database: database.migrate.command runs in a release's tree, so it needs pipeline, environment, release, executionArn and stateName (the pipeline passes them)",
    );
  const env = targetEnvironment(p.config, pipeline, environment);
  const result = await migrateWithCommand(
    {
      connectionString: await targetConnection(event, p),
      migrate,
      target: {
        pipeline,
        environment,
        baseUrl: environmentUrl(env),
        release,
        idempotencyKey: idempotencyKey({ executionArn, stateName, environment }),
      },
    },
    p,
  );
  await recordCommandMigration(event, result, p);
  return result;
}

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('migrate-database', {
  artifacts: awsArtifacts,
  snapshots: awsSnapshots,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(refusingLocalOnlyCommands(awsWiring));
