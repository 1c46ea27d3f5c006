import { TestsFailedError } from '../shared/errors.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsTestRunner } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { runTestsInputSchema } from './input.js';
import { runTests, summariseTestFailures } from './run-tests.js';

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'run-tests',
      input: runTestsInputSchema,
      run: async (event, { config, testRunner }) => {
        const result = await runTests(event, { config, testRunner });
        // As smoke-test does: the summary, then the evidence JSON, so the history shows both.
        if (result.state === 'FINISHED' && !result.passed)
          throw new TestsFailedError(
            `${summariseTestFailures(result)} | evidence: ${JSON.stringify(result)}`,
            {
              cause: result,
            },
          );
        return result;
      },
    },
    ports,
  );

/** On AWS each phase's tests run as one build of the test-stage project (CodeBuildTestRunner). */
export const awsWiring = awsPorts('run-tests', { testRunner: awsTestRunner });

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
