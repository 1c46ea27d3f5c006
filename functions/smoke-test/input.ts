import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

/**
 * What the ASL hands smoke-test; the release is there for the evidence, the checks need only where.
 * `checks: 'verify'` runs the environment's verify checks instead (one round of the window).
 */
export const smokeTestInputSchema = environmentTaskSchema
  .extend({
    release: releaseRefSchema.optional(),
    checks: z.enum(['smoke', 'verify']).default('smoke'),
    round: z.number().int().min(1).optional(),
  })
  .readonly();

export type SmokeTestInput = z.output<typeof smokeTestInputSchema>;
