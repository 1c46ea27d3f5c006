import type * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

/** What the ASL hands smoke-test; the release is there for the evidence, the checks need only where. */
export const smokeTestInputSchema = environmentTaskSchema
  .extend({ release: releaseRefSchema.optional() })
  .readonly();

export type SmokeTestInput = z.output<typeof smokeTestInputSchema>;
