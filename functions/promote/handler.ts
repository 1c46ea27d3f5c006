import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsArtifacts, awsDeployer, awsImages, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { promoteInputSchema } from './input.js';
import { promote } from './promote.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'promote', input: promoteInputSchema, run: async (event, p) => promote(event, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('promote', {
  artifacts: awsArtifacts,
  images: awsImages,
  deployer: awsDeployer,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
