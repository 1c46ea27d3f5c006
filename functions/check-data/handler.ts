import * as z from 'zod';
import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
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
import { runReleaseCommand } from '../shared/release-command.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { awsSnapshots } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { refusingLocalOnlyCommands } from '../shared/wiring/local-only-commands.js';
import { environmentUrl } from '../smoke-test/smoke-test.js';
import { type CommandCheckRunner, checkData } from './check-data.js';

const input = z
  .strictObject({
    connectionString: connectionStringSchema.optional(),
    ...environmentTarget,
    /** Row counts recorded when the source was snapshotted, by table. */
    sourceRowCounts: z.record(z.string().min(1), z.number().int().min(0)).optional(),
    /** The release being checked: `command` checks run in its unpacked tree. */
    release: releaseRefSchema.optional(),
  })
  .refine(exactlyOneTarget, { message: ONE_TARGET_MESSAGE });

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'check-data',
      input,
      run: async (event, p) => {
        if (!p.config.database) throw new InvalidInputError('check-data: the config has no "database" block');
        return checkData(
          {
            connectionString: await targetConnection(event, p),
            checks: p.config.database.checks,
            ...(event.sourceRowCounts ? { sourceRowCounts: event.sourceRowCounts } : {}),
          },
          { clock: p.clock, ...commandRunner(event, p) },
        );
      },
    },
    ports,
  );

/** How `command` checks run: in the release's tree through the TestRunner, as the pipeline calls it. */
function commandRunner(event: z.output<typeof input>, p: TollgatePorts): { runCommand?: CommandCheckRunner } {
  const { executionArn, stateName, pipeline, environment, release } = event;
  if (!executionArn || !stateName || !pipeline || !environment || !release) return {};
  const env = targetEnvironment(p.config, pipeline, environment);
  return {
    runCommand: (check) =>
      runReleaseCommand(
        p.testRunner,
        {
          pipeline,
          environment,
          baseUrl: environmentUrl(env),
          release,
          // One run per check: the runner keys its tree and result on this.
          idempotencyKey: `${idempotencyKey({ executionArn, stateName, environment })}#${check.name}`,
        },
        check,
        p.clock,
      ),
  };
}

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('check-data', { snapshots: awsSnapshots });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(refusingLocalOnlyCommands(awsWiring));
