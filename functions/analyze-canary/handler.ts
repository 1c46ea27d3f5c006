import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsLedger } from '../shared/wiring/aws-port-builders.js';
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
 * The AWS ports this function uses; its bundle carries only their clients. The metric sources
 * (CloudWatch per target group, the alarm) join with their IAM capability in FUNCTION_GRANTS.
 */
export const awsWiring = awsPorts('analyze-canary', { ledger: awsLedger });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
