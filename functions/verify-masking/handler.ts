import { z } from 'zod';
import { connectionStringSchema } from '../shared/database/connection-string.js';
import { InvalidInputError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { verifyMasking } from './verify-masking.js';

const input = z.strictObject({
  connectionString: connectionStringSchema,
  sourceConnectionString: connectionStringSchema,
  /** Row counts recorded when the source was snapshotted, by table. */
  sourceRowCounts: z.record(z.string().min(1), z.number().int().min(0)).optional(),
  sampleSize: z.number().int().min(1).max(10_000).optional(),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'verify-masking',
      input,
      run: async (event, p) => {
        if (!p.config.database)
          throw new InvalidInputError('verify-masking: the config has no "database" block');
        return verifyMasking({
          connectionString: event.connectionString.reveal(),
          sourceConnectionString: event.sourceConnectionString.reveal(),
          rules: p.config.database.masking,
          ...(event.sourceRowCounts ? { sourceRowCounts: event.sourceRowCounts } : {}),
          ...(event.sampleSize ? { sampleSize: event.sampleSize } : {}),
        });
      },
    },
    ports,
  );
