import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { awsArtifacts, awsDeployer, awsImages, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { promote } from './promote.js';

const input = environmentTaskSchema.extend({
  release: releaseRefSchema,
  evidence: z.record(z.string(), z.unknown()).optional(),
});

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'promote', input, run: async (event, p) => promote(event, p) }, ports);

export type PromoteTaskInput = z.input<typeof input>;

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('promote', {
  artifacts: awsArtifacts,
  images: awsImages,
  deployer: awsDeployer,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
