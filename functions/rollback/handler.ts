import * as z from 'zod';
import { environmentTaskSchema } from '../deploy/task-input.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { releaseRefSchema } from '../shared/schemas.js';
import { awsArtifacts, awsDeployer, awsImages, awsLedger } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import { type FinishRollbackInput, finishRollback, type RollbackStart, startRollback } from './rollback.js';

const common = environmentTaskSchema.extend({
  release: releaseRefSchema,
  reason: z.looseObject({ error: z.string().min(1), cause: z.string().nullish() }),
});

const input = z.discriminatedUnion('step', [
  common.extend({ step: z.literal('start') }),
  common.extend({
    step: z.literal('finish'),
    // start's own output, handed back verbatim by the state machine.
    started: z.looseObject({
      action: z.enum(['redeployed', 'reverted', 'already-serving', 'stopped', 'nothing-running']),
      deploymentId: z.string().min(1).optional(),
    }),
    rollout: z.looseObject({ state: z.enum(['IN_PROGRESS', 'HEALTHY', 'FAILED']) }).nullish(),
  }),
]);

export const createHandler = (ports: PortsFactory) =>
  defineTask(
    {
      name: 'rollback',
      input,
      run: async (event, p) =>
        event.step === 'start'
          ? startRollback(event, p)
          : finishRollback(
              { ...event, started: event.started as unknown as RollbackStart } as FinishRollbackInput,
              p,
            ),
    },
    ports,
  );

export type RollbackTaskInput = z.input<typeof input>;

/** The AWS ports this function uses; its bundle carries only their clients. */
export const awsWiring = awsPorts('rollback', {
  artifacts: awsArtifacts,
  images: awsImages,
  deployer: awsDeployer,
  ledger: awsLedger,
});

/** The Lambda entry: the same task wired to the AWS adapters. */
export const handler = createHandler(awsWiring);
