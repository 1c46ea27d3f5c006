import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

/**
 * What the ASL hands run-tests: `start` runs the environment's tests whose `after` is the given
 * phase; `poll` looks at that run (the state machine waits between polls, as for a rollout).
 */
export const runTestsInputSchema = z.discriminatedUnion('step', [
  environmentTaskSchema.extend({
    step: z.literal('start'),
    after: z.enum(['deploy', 'promote']),
    release: releaseRefSchema,
  }),
  environmentTaskSchema.extend({
    step: z.literal('poll'),
    after: z.enum(['deploy', 'promote']),
    runId: z.string().min(1),
  }),
]);

export type RunTestsInput = z.output<typeof runTestsInputSchema>;
