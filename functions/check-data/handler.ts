import * as z from 'zod';
import { connectionStringSchema } from '../shared/database/connection-string.js';
import {
  environmentTarget,
  exactlyOneTarget,
  ONE_TARGET_MESSAGE,
  targetConnection,
} from '../shared/database/task-target.js';
import { InvalidInputError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsSnapshots } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { checkData } from './check-data.js';

const input = z
  .strictObject({
    connectionString: connectionStringSchema.optional(),
    ...environmentTarget,
    /** Row counts recorded when the source was snapshotted, by table. */
    sourceRowCounts: z.record(z.string().min(1), z.number().int().min(0)).optional(),
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
          { clock: p.clock },
        );
      },
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('check-data', { snapshots: awsSnapshots });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
