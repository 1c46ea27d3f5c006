import type { z } from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { planRun } from './plan-run.js';

const input = taskContextSchema.extend({ commit: commitSchema });

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'plan-run', input, run: (event, ports) => planRun(event, ports) }, ports);

export const handler = createHandler(awsPorts);
export type PlanRunInput = z.input<typeof input>;
