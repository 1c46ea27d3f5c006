import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsDeployer } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { pollDeploymentInputSchema } from './input.js';
import { pollDeployment } from './poll-deployment.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'poll-deployment',
      input: pollDeploymentInputSchema,
      run: async (event, p) => pollDeployment(event, p),
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('poll-deployment', { deployer: awsDeployer });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
