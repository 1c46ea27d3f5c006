import { z } from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { pollDeployment } from './poll-deployment.js';

const input = environmentTaskSchema.extend({ deploymentId: z.string().min(1) });

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'poll-deployment', input, run: async (event, p) => pollDeployment(event, p) }, ports);

export type PollDeploymentTaskInput = z.input<typeof input>;
