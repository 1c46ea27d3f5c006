import { targetConnection } from '../shared/database/task-target.js';
import { defineTask } from '../shared/handler.js';
import type { PortsFactory } from '../shared/ports/tollgate-ports.js';
import { awsArtifacts, awsLedger, awsSnapshots } from '../shared/wiring/aws-port-builders.js';
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
 * The AWS ports this function uses; its bundle carries only their clients. No `trials`: the
 * compatibility check's one-off run of the previous release is built for process environments only
 * (compatibility-check.ts records the check as not run on ECS, and never touches the port there).
 */
export const awsWiring = awsPorts('migration-safety', {
  artifacts: awsArtifacts,
  snapshots: awsSnapshots,
  ledger: awsLedger,
});

export const handler = createHandler(awsWiring);
