import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsLedger, awsTraffic } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { shiftTrafficInputSchema } from './input.js';
import { shiftTraffic } from './shift-traffic.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'shift-traffic',
      input: shiftTrafficInputSchema,
      run: async (event, p) => shiftTraffic(event, p),
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('shift-traffic', { ledger: awsLedger, traffic: awsTraffic });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
