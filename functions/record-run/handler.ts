import * as z from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import { awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { recordRun } from './record-run.js';

const input = taskContextSchema.extend({
  pipeline: z.string().min(1),
  status: z.enum(['SUCCEEDED', 'FAILED', 'SKIPPED']),
  commit: commitSchema,
  release: z.object({ version: z.string(), digest: z.string() }).passthrough().nullish(),
  environments: z
    .array(z.object({ environment: z.string().optional(), status: z.string().optional() }).passthrough())
    .nullish(),
  failure: z.record(z.string(), z.unknown()).nullish(),
  skip: z.record(z.string(), z.unknown()).nullish(),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'record-run', input, run: (event, p) => recordRun(event, p) }, ports);

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('record-run', { ledger: awsLedger });

export const handler = createHandler(awsWiring);
