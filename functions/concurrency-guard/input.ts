import * as z from 'zod';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import type { GuardCommit } from './guard-state.js';

/** What the ASL hands the concurrency guard: which lock call, for which run. */
export const guardInputSchema = taskContextSchema
  .extend({
    action: z.enum(['acquire', 'check', 'wait', 'renew', 'release']),
    pipeline: z.string().min(1),
    commit: commitSchema,
    /** $states.context.Execution.StartTime: the queue's order. Optional for runs started before it was sent. */
    startedAt: z.string().datetime({ offset: true }).optional(),
    /** `wait`: $states.context.Task.Token of WaitForLock, sent back when the run may go on. */
    taskToken: z.string().min(1).max(1024).optional(),
  })
  .readonly();

export type GuardAction = z.output<typeof guardInputSchema>['action'];

/**
 * runGuard's input: the task's, minus what only the ASL sends. release-ended-run also releases for a
 * run that was stopped, from the run-end event, which names no commit and no state: so `commit` is
 * optional here (runGuard refuses acquire, check and wait without one) and the lock keeps only the
 * commit's fields it shows (GuardCommit).
 */
export type GuardInput = Omit<z.output<typeof guardInputSchema>, 'commit' | 'stateName'> & {
  readonly commit?: GuardCommit;
};
