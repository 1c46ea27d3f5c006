import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

/** What the ASL hands promote: the release to make official, with the evidence gathered for it. */
export const promoteInputSchema = environmentTaskSchema
  .extend({
    release: releaseRefSchema,
    evidence: z.record(z.string(), z.unknown()).optional(),
  })
  .readonly();

export type PromoteInput = z.output<typeof promoteInputSchema>;
