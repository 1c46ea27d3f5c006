import * as z from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import { awsApprovals, awsCallback, awsLedger, awsLocks } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { runGuard } from './concurrency-guard.js';

const input = taskContextSchema.extend({
  action: z.enum(['acquire', 'check', 'wait', 'renew', 'release']),
  pipeline: z.string().min(1),
  commit: commitSchema,
  /** $states.context.Execution.StartTime: the queue's order. Optional for runs started before it was sent. */
  startedAt: z.string().datetime({ offset: true }).optional(),
  /** `wait`: $states.context.Task.Token of WaitForLock, sent back when the run may go on. */
  taskToken: z.string().min(1).max(1024).optional(),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'concurrency-guard', input, run: (event, p) => runGuard(event, p) }, ports);

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('concurrency-guard', {
  locks: awsLocks,
  approvals: awsApprovals,
  callback: awsCallback,
  ledger: awsLedger,
});

export const handler = createHandler(awsWiring);
