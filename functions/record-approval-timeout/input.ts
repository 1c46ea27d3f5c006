import * as z from 'zod';
import { taskContextSchema } from '../shared/schemas.js';

/** What the gate's Catch hands record-approval-timeout: where the wait timed out, and the error it caught. */
export const recordApprovalTimeoutInputSchema = taskContextSchema
  .extend({
    pipeline: z.string().min(1),
    environment: z.string().min(1),
    error: z.string().nullish(),
    cause: z.string().nullish(),
    /** Which of the environment's approvals timed out: its gate's, or a restore's. */
    purpose: z.enum(['promotion', 'restore']).optional(),
  })
  .readonly();

export type RecordApprovalTimeoutInput = z.output<typeof recordApprovalTimeoutInputSchema>;
