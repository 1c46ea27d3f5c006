import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { releaseRefSchema } from '../shared/schemas.js';

/** What the ASL hands analyze-canary: the canary, its baseline and the step's window. */
export const analyzeCanaryInputSchema = environmentTaskSchema
  .extend({
    /** The canary: the release this run deploys. */
    release: releaseRefSchema,
    /** The version serving beside it, as shift-traffic reported the split. */
    baseline: z.string().min(1),
    /** 0-based index into the strategy's steps. */
    step: z.number().int().min(0),
    /** When the step's traffic moved (shift-traffic's `at`): the window's start. */
    since: z.iso.datetime({ offset: true }),
    /** 1 for the step's first analysis; an inconclusive look waits another interval and looks again. */
    look: z.number().int().min(1),
  })
  .readonly();

export type AnalyzeCanaryInput = z.output<typeof analyzeCanaryInputSchema>;
