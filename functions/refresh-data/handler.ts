import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsLedger, awsSnapshots } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { refreshInputSchema } from './input.js';
import { refreshData } from './refresh-data.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'refresh-data', input: refreshInputSchema, run: (event, p) => refreshData(event, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('refresh-data', { ledger: awsLedger, snapshots: awsSnapshots });

export const handler = createHandler(awsWiring);
