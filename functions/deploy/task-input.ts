import * as z from 'zod';
import { taskContextSchema } from '../shared/schemas.js';

/** What every environment-stage task receives from the ASL besides its own fields. */
export const environmentTaskSchema = taskContextSchema.extend({
  pipeline: z.string().min(1),
  environment: z.string().min(1),
});
