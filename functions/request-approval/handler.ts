import * as z from 'zod';
import type { ApprovalPortsFactory } from '../shared/approvals/approval-ports.js';
import { memoPorts } from '../shared/approvals/approval-ports.js';
import { defineTask } from '../shared/handler.js';
import { commitSchema, releaseRefSchema, taskContextSchema } from '../shared/schemas.js';
import {
  awsApprovals,
  awsArtifacts,
  awsCallback,
  awsLedger,
  awsLocks,
  awsNotifier,
} from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { requestApproval } from './request-approval.js';

const input = taskContextSchema.extend({
  pipeline: z.string().min(1),
  environment: z.string().min(1),
  release: releaseRefSchema,
  commit: commitSchema,
  approval: z
    .object({
      approvers: z.array(z.string().min(1)).min(1),
      minApprovals: z.number().int().min(1),
      timeoutSeconds: z.number().int().positive(),
      allowSelfApproval: z.boolean(),
    })
    .nullish(),
  previousEnvironment: z
    .object({
      name: z.string().min(1),
      smokeTests: z.unknown().default(null),
      dataChecks: z.unknown().default(null),
    })
    .nullish(),
  purpose: z.enum(['promotion', 'restore']).optional(),
  restore: z.record(z.string(), z.unknown()).nullish(),
  // The logger redacts any key named like "token", so this never reaches a log line.
  taskToken: z.string().min(1).max(1024),
});

export type RequestApprovalTaskInput = z.input<typeof input>;

export const createHandler = (ports: ApprovalPortsFactory) => {
  const shared = memoPorts(ports);
  return defineTask(
    {
      name: 'request-approval',
      input,
      run: async (event) =>
        requestApproval(
          {
            ...event,
            previousEnvironment: event.previousEnvironment
              ? {
                  ...event.previousEnvironment,
                  smokeTests: event.previousEnvironment.smokeTests ?? null,
                  dataChecks: event.previousEnvironment.dataChecks ?? null,
                }
              : null,
          },
          await shared(),
        ),
    },
    shared,
  );
};

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('request-approval', {
  artifacts: awsArtifacts,
  ledger: awsLedger,
  approvals: awsApprovals,
  notifier: awsNotifier,
  callback: awsCallback,
  locks: awsLocks,
});

export const handler = createHandler(awsWiring);
