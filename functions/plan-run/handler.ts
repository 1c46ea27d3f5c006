import type { z } from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import { awsSource } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { planRun } from './plan-run.js';

const input = taskContextSchema.extend({ commit: commitSchema });

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'plan-run', input, run: (event, ports) => planRun(event, ports) }, ports);

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('plan-run', { source: awsSource });

export const handler = createHandler(awsWiring);
export type PlanRunInput = z.input<typeof input>;
