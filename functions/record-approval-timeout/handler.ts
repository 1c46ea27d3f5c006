import * as z from 'zod';
import type { ApprovalPortsFactory } from '../shared/approvals/approval-ports.js';
import { memoPorts } from '../shared/approvals/approval-ports.js';
import { defineTask } from '../shared/handler.js';
import { taskContextSchema } from '../shared/schemas.js';
import { awsApprovals, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { recordApprovalTimeout } from './record-approval-timeout.js';

const input = taskContextSchema.extend({
  pipeline: z.string().min(1),
  environment: z.string().min(1),
  error: z.string().nullish(),
  cause: z.string().nullish(),
});

export type RecordApprovalTimeoutTaskInput = z.input<typeof input>;

export const createHandler = (ports: ApprovalPortsFactory) => {
  const shared = memoPorts(ports);
  return defineTask(
    {
      name: 'record-approval-timeout',
      input,
      run: async (event) => recordApprovalTimeout(event, await shared()),
    },
    shared,
  );
};

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('record-approval-timeout', { approvals: awsApprovals, ledger: awsLedger });

export const handler = createHandler(awsWiring);
