import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';

/** What the ASL hands poll-deployment: the deployment deploy started. */
export const pollDeploymentInputSchema = environmentTaskSchema
  .extend({ deploymentId: z.string().min(1) })
  .readonly();

export type PollDeploymentInput = z.output<typeof pollDeploymentInputSchema>;
