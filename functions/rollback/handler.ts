import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { awsArtifacts, awsDeployer, awsImages, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { type RollbackOptions, rollback } from './rollback.js';

const input = environmentTaskSchema.extend({
  release: releaseRefSchema,
  reason: z.looseObject({ error: z.string().min(1), cause: z.string().nullish() }),
});

const realSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export const createHandler = (ports: PortsFactory, options: RollbackOptions = { sleep: realSleep }) =>
  defineTask({ name: 'rollback', input, run: async (event, p) => rollback(event, p, options) }, ports);

export type RollbackTaskInput = z.input<typeof input>;

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('rollback', {
  artifacts: awsArtifacts,
  images: awsImages,
  deployer: awsDeployer,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
