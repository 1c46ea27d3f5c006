import { z } from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { promote } from './promote.js';

const input = environmentTaskSchema.extend({
  release: releaseRefSchema,
  evidence: z.record(z.string(), z.unknown()).optional(),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'promote', input, run: async (event, p) => promote(event, p) }, ports);

export type PromoteTaskInput = z.input<typeof input>;
