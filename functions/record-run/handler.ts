import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { recordRunInputSchema } from './input.js';
import { recordRun } from './record-run.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'record-run', input: recordRunInputSchema, run: (event, p) => recordRun(event, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('record-run', { ledger: awsLedger });

export const handler = createHandler(awsWiring);
