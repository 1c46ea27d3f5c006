import type { ApprovalPortsFactory } from '../shared/approvals/approval-ports.js';
import { memoPorts } from '../shared/approvals/approval-ports.js';
import { defineTask } from '../shared/handler.js';
import { awsApprovals, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { recordApprovalTimeoutInputSchema } from './input.js';
import { recordApprovalTimeout } from './record-approval-timeout.js';

export const createHandler = (ports: ApprovalPortsFactory) => {
  const shared = memoPorts(ports);
  return defineTask(
    {
      name: 'record-approval-timeout',
      input: recordApprovalTimeoutInputSchema,
      run: async (event) => recordApprovalTimeout(event, await shared()),
    },
    shared,
  );
};

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('record-approval-timeout', { approvals: awsApprovals, ledger: awsLedger });

export const handler = createHandler(awsWiring);
