import { SmokeTestFailedError, VerificationFailedError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { smokeTestInputSchema } from './input.js';
import { runSmokeTests, type Sleeper, type SmokeTestResult, summariseFailures } from './smoke-test.js';

const realSleep: Sleeper = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * The error message is the one-line summary followed by the evidence JSON (itself one line), so the
 * execution history shows exactly which check failed and what it saw.
 */
export function smokeTestFailure(result: SmokeTestResult): SmokeTestFailedError | VerificationFailedError {
  const Failure = result.verify ? VerificationFailedError : SmokeTestFailedError;
  return new Failure(`${summariseFailures(result)} | evidence: ${JSON.stringify(result)}`, { cause: result });
}

export const createHandler = (ports: PortsFactory, sleep: Sleeper = realSleep) =>
  defineTask(
    {
      name: 'smoke-test',
      input: smokeTestInputSchema,
      run: async (event, { config, clock }) => {
        const result = await runSmokeTests(event, { config, clock, sleep });
        if (!result.passed) throw smokeTestFailure(result);
        return result;
      },
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('smoke-test', {});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
