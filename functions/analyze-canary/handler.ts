import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsCloudChecks, awsLedger, awsMetrics } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { analyzeCanary } from './analyze-canary.js';
import { analyzeCanaryInputSchema } from './input.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'analyze-canary',
      input: analyzeCanaryInputSchema,
      run: async (event, p) => analyzeCanary(event, p),
    },
    ports,
  );

/**
 * The AWS ports this function uses; its bundle carries only their clients: CloudWatch per target
 * group (with ECS and ELBv2 to learn which release serves from which) and the CloudWatch checks.
 */
export const awsWiring = awsPorts('analyze-canary', {
  ledger: awsLedger,
  metrics: awsMetrics,
  cloudChecks: awsCloudChecks,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
