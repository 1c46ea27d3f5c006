import { z } from 'zod';
import { connectionStringSchema } from '../shared/database/connection-string.js';
import { InvalidInputError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { maskData } from './mask-data.js';

const input = z.strictObject({
  connectionString: connectionStringSchema,
  /**
   * Per-run salt. Named so the shared logger redacts it (it matches /secret/): with the salt and
   * the masked data, a guessed address could be confirmed.
   */
  saltSecret: z.string().min(16, 'must be at least 16 characters'),
  /** Execution ARN + state name; makes a re-invocation a no-op. */
  runKey: z.string().min(1),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'mask-data',
      input,
      run: async (event, p) => {
        if (!p.config.database) throw new InvalidInputError('mask-data: the config has no "database" block');
        return maskData(
          {
            connectionString: event.connectionString.reveal(),
            rules: p.config.database.masking,
            salt: event.saltSecret,
            runKey: event.runKey,
          },
          { clock: p.clock },
        );
      },
    },
    ports,
  );
