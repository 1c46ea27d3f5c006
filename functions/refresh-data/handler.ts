import * as z from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { taskContextSchema } from '../shared/schemas.js';
import { awsLedger, awsSnapshots } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { type RefreshInput, refreshData } from './refresh-data.js';

// Refs are produced by the provider and passed back verbatim; the provider validates their shape.
const ref = z.record(z.string(), z.unknown()).nullish();

const input = taskContextSchema.extend({
  pipeline: z.string().min(1),
  environment: z.string().min(1),
  action: z.enum([
    'plan',
    'snapshot-source',
    'backup-target',
    'clone',
    'publish',
    'restore',
    'poll',
    'record',
    'gc',
  ]),
  operation: ref,
  snapshot: ref,
  backup: ref,
  /** The clone that `clone` prepared (its poll's ref), for `record` and `publish`. */
  volumes: ref,
});

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'refresh-data', input, run: (event, p) => refreshData(event as unknown as RefreshInput, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('refresh-data', { ledger: awsLedger, snapshots: awsSnapshots });

export const handler = createHandler(awsWiring);
