import * as z from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsCallback, awsLocks } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { ENDED_STATUSES, releaseEndedRun } from './release-ended-run.js';

/** EventBridge's "Step Functions Execution Status Change" event, as the run-end rule delivers it. */
const input = z
  .object({
    source: z.literal('aws.states'),
    'detail-type': z.literal('Step Functions Execution Status Change'),
    detail: z.object({ executionArn: z.string().min(1), status: z.enum(ENDED_STATUSES) }),
  })
  .transform((event) => ({ executionArn: event.detail.executionArn, status: event.detail.status }));

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'release-ended-run', input, run: (event, p) => releaseEndedRun(event, p) }, ports);

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('release-ended-run', { locks: awsLocks, callback: awsCallback });

export const handler = createHandler(awsWiring);
