import type * as z from 'zod';
import { releaseRefSchema } from '../shared/schemas.js';
import { environmentTaskSchema } from './task-input.js';

/** What the ASL hands deploy: the handler validates it, the logic reads the parsed value. */
export const deployInputSchema = environmentTaskSchema.extend({ release: releaseRefSchema }).readonly();

export type DeployInput = z.output<typeof deployInputSchema>;
