import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

const action = z.enum(['shift', 'abort', 'complete']);

/** What the ASL hands shift-traffic: the release on trial, and what to do with its traffic. */
export const shiftTrafficInputSchema = environmentTaskSchema
  .extend({
    action,
    /** The canary: the release this run deploys. */
    release: releaseRefSchema,
    /** 0-based index into the strategy's steps (shift; abort names the step it stopped at). */
    step: z.number().int().min(0).optional(),
    /** abort: why, as the analysis or the failure record says it. */
    reason: z.string().min(1).optional(),
  })
  .superRefine((input, ctx) => {
    if (input.action !== 'complete' && input.step === undefined)
      ctx.addIssue({ code: 'custom', path: ['step'], message: `${input.action} needs the step index` });
    if (input.action === 'abort' && input.reason === undefined)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'abort needs a reason' });
  })
  .readonly();

export type ShiftTrafficInput = z.output<typeof shiftTrafficInputSchema>;
