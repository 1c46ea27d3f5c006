import * as z from 'zod';
import { InvalidInputError } from '../errors.js';
import type { VolumeSetRef } from '../ports/snapshot-provider.js';
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
  /**
   * With `environment`: the clone a refresh prepared for it (the provider's VolumeSetRef, passed back
   * verbatim; the provider validates it). A staged clone is reachable only this way until published.
   */
  volumes: z.record(z.string(), z.unknown()).nullish(),
};

export function exactlyOneTarget(value: { connectionString?: unknown; environment?: unknown }): boolean {
  return (value.connectionString === undefined) !== (value.environment === undefined);
}

export const ONE_TARGET_MESSAGE = 'set exactly one of "connectionString" or "environment"';

export async function targetConnection(
  event: { connectionString?: ConnectionSecret; environment?: string; volumes?: unknown },
  ports: Pick<TollgatePorts, 'config' | 'snapshots'>,
): Promise<string> {
  if (event.connectionString) return event.connectionString.reveal();
  if (!event.environment) throw new InvalidInputError(ONE_TARGET_MESSAGE);
  return environmentConnectionString(ports, event.environment, cloneOf(event));
}

/** The clone ref of a data task's input, if it names one. */
export function cloneOf(event: { volumes?: unknown }): VolumeSetRef | undefined {
  return event.volumes ? (event.volumes as VolumeSetRef) : undefined;
}
