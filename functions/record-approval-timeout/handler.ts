import { z } from 'zod';
import type { ApprovalPortsFactory } from '../shared/approvals/approval-ports.js';
import { memoPorts } from '../shared/approvals/approval-ports.js';
import { awsApprovalPorts } from '../shared/approvals/aws-approval-ports.js';
import { defineTask } from '../shared/handler.js';
import { taskContextSchema } from '../shared/schemas.js';
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

export const handler = createHandler(() => awsApprovalPorts());
