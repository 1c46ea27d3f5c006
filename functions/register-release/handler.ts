import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsArtifacts, awsImages, awsLedger, awsSource } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { registerReleaseInputSchema } from './input.js';
import { registerRelease } from './register-release.js';

/** The AWS wiring (`handler`) is bound by the lead in functions/shared/wiring; tests and the local runner use this. */
export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'register-release',
      input: registerReleaseInputSchema,
      run: (event, p) => registerRelease(event, p),
    },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('register-release', {
  artifacts: awsArtifacts,
  images: awsImages,
  ledger: awsLedger,
  source: awsSource,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
