import * as z from 'zod';
import { connectionStringSchema } from '../shared/database/connection-string.js';
import {
  cloneOf,
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
import { verifyMasking } from './verify-masking.js';

const input = z
  .strictObject({
    connectionString: connectionStringSchema.optional(),
    ...environmentTarget,
    /** Defaults to the configured source environment (production) when the target is an environment. */
    sourceConnectionString: connectionStringSchema.optional(),
    /** Row counts recorded when the source was snapshotted, by table. */
    sourceRowCounts: z.record(z.string().min(1), z.number().int().min(0)).optional(),
    sampleSize: z.number().int().min(1).max(10_000).optional(),
  })
  .refine(exactlyOneTarget, { message: ONE_TARGET_MESSAGE })
  .refine((i) => i.connectionString === undefined || i.sourceConnectionString !== undefined, {
    path: ['sourceConnectionString'],
    message:
      'required when "connectionString" is given (with "environment" it defaults to the source environment)',
  });

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'verify-masking',
      input,
      run: async (event, p) => {
        if (!p.config.database)
          throw new InvalidInputError('verify-masking: the config has no "database" block');
        const clone = cloneOf(event);
        return verifyMasking({
          connectionString: await targetConnection(event, p),
          // The refreshed clone's files are searched at rest; only the provider can reach them.
          ...(clone ? { scanAtRest: (needles) => p.snapshots.scanAtRest(clone, needles) } : {}),
          sourceConnectionString: event.sourceConnectionString
            ? event.sourceConnectionString.reveal()
            : await targetConnection({ environment: p.config.database.source }, p),
          rules: p.config.database.masking,
          ...(event.sourceRowCounts ? { sourceRowCounts: event.sourceRowCounts } : {}),
          ...(event.sampleSize ? { sampleSize: event.sampleSize } : {}),
        });
      },
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('verify-masking', { snapshots: awsSnapshots });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
