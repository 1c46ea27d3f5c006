import * as z from 'zod';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { commitSchema, taskContextSchema } from '../shared/schemas.js';
import { awsArtifacts, awsImages, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { registerRelease } from './register-release.js';

export const registerReleaseInput = taskContextSchema.extend({
  pipeline: z.string().min(1),
  commit: commitSchema,
  build: z.object({
    artifactKey: z.string().min(1),
    imageDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 lowercase hex digits')
      .nullish(),
    builtAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' }).nullish(),
  }),
});

/** The AWS wiring (`handler`) is bound by the lead in functions/shared/wiring; tests and the local runner use this. */
export const createHandler = (ports: PortsFactory) =>
  defineTask(
    { name: 'register-release', input: registerReleaseInput, run: (event, p) => registerRelease(event, p) },
    ports,
  );

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('register-release', {
  artifacts: awsArtifacts,
  images: awsImages,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
