import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsDeployer } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { deploy } from './deploy.js';
import { deployInputSchema } from './input.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask({ name: 'deploy', input: deployInputSchema, run: async (event, p) => deploy(event, p) }, ports);

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('deploy', { deployer: awsDeployer });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
