import * as z from 'zod';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';

/** What the run's last state hands record-run: how the run ended and what it reached. */
export const recordRunInputSchema = taskContextSchema
  .extend({
    pipeline: z.string().min(1),
    status: z.enum(['SUCCEEDED', 'FAILED', 'SKIPPED']),
    commit: commitSchema,
    release: z.object({ version: z.string(), digest: z.string() }).passthrough().nullish(),
    environments: z
      .array(z.object({ environment: z.string().optional(), status: z.string().optional() }).passthrough())
      .nullish(),
    failure: z.record(z.string(), z.unknown()).nullish(),
    skip: z.record(z.string(), z.unknown()).nullish(),
  })
  .readonly();

export type RecordRunInput = z.output<typeof recordRunInputSchema>;
