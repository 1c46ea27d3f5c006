import { randomBytes } from 'node:crypto';
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
import { maskData } from './mask-data.js';

const input = z
  .strictObject({
    connectionString: connectionStringSchema.optional(),
    ...environmentTarget,
    /**
     * Per-run salt. Named so the shared logger redacts it (it matches /secret/): with the salt and
     * the masked data, a guessed address could be confirmed.
     */
    saltSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Execution ARN + state name; makes a re-invocation a no-op. */
    runKey: z.string().min(1).optional(),
  })
  .refine(exactlyOneTarget, { message: ONE_TARGET_MESSAGE });

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'mask-data',
      input,
      run: async (event, p) => {
        if (!p.config.database) throw new InvalidInputError('mask-data: the config has no "database" block');
        return maskData(
          {
            connectionString: await targetConnection(event, p),
            rules: p.config.database.masking,
            // The pipeline passes no salt: a fresh random one per invocation never enters the history,
            // and the run-key marker makes a re-invocation a no-op, so it never needs to be the same twice.
            salt: event.saltSecret ?? randomBytes(24).toString('hex'),
            runKey: event.runKey ?? runKeyOf(event),
          },
          { clock: p.clock },
        );
      },
    },
    ports,
  );

function runKeyOf(event: { executionArn?: string; stateName?: string; environment?: string }): string {
  if (!event.executionArn || !event.stateName) {
    throw new InvalidInputError('mask-data: give "runKey", or "executionArn" and "stateName" to derive it');
  }
  return `${event.executionArn}/${event.stateName}/${event.environment ?? ''}`;
}

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('mask-data', { snapshots: awsSnapshots });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
