import { z } from 'zod';
import { InvalidInputError } from '../errors.js';
import type { TollgatePorts } from '../ports/tollgate-ports.js';
import type { ConnectionSecret } from './connection-string.js';
import { environmentConnectionString } from './environment-connection.js';

/**
 * Data tasks take their database either as an environment name (how the pipeline calls them: the
 * connection is resolved through the snapshot provider, so no password enters the history) or as an
 * explicit connection string (direct use and tests).
 */
export const environmentTarget = {
  executionArn: z.string().min(1).optional(),
  stateName: z.string().min(1).optional(),
  pipeline: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
};

export function exactlyOneTarget(value: { connectionString?: unknown; environment?: unknown }): boolean {
  return (value.connectionString === undefined) !== (value.environment === undefined);
}

export const ONE_TARGET_MESSAGE = 'set exactly one of "connectionString" or "environment"';

export async function targetConnection(
  event: { connectionString?: ConnectionSecret; environment?: string },
  ports: Pick<TollgatePorts, 'config' | 'snapshots'>,
): Promise<string> {
  if (event.connectionString) return event.connectionString.reveal();
  if (!event.environment) throw new InvalidInputError(ONE_TARGET_MESSAGE);
  return environmentConnectionString(ports, event.environment);
}
