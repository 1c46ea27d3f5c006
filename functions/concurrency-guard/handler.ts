import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsApprovals, awsCallback, awsLedger, awsLocks } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { runGuard } from './concurrency-guard.js';
import { guardInputSchema } from './input.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'concurrency-guard', input: guardInputSchema, run: (event, p) => runGuard(event, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('concurrency-guard', {
  locks: awsLocks,
  approvals: awsApprovals,
  callback: awsCallback,
  ledger: awsLedger,
});

export const handler = createHandler(awsWiring);
