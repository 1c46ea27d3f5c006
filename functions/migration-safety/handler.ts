import { targetConnection } from '../shared/database/task-target.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsArtifacts, awsLedger, awsSnapshots, awsTrials } from '../shared/wiring/aws-port-builders.js';
import { awsPorts } from '../shared/wiring/aws-ports.js';
import type { Sleeper } from '../smoke-test/smoke-test.js';
import { migrationSafetyInputSchema } from './input.js';
import { migrationSafety } from './migration-safety.js';

const realSleep: Sleeper = (ms) => new Promise((done) => setTimeout(done, ms));

export const createHandler = (ports: PortsFactory, sleep: Sleeper = realSleep) =>
  defineTask(
    {
      name: 'migration-safety',
      input: migrationSafetyInputSchema,
      run: (event, p) =>
        migrationSafety(event, p, {
          sleep,
          connection: () => targetConnection({ environment: event.environment }, p),
        }),
    },
    ports,
  );

/**
 * The AWS ports this function uses; its bundle carries only their clients. `trials` runs the
 * previous release as a one-off ECS task for the compatibility check.
 */
export const awsWiring = awsPorts('migration-safety', {
  artifacts: awsArtifacts,
  snapshots: awsSnapshots,
  ledger: awsLedger,
  trials: awsTrials,
});

export const handler = createHandler(awsWiring);
