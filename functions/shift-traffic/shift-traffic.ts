import { idempotencyKey, targetEnvironment } from '../deploy/target-environment.js';
import type { Clock } from '../shared/clock.js';
import type { TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';
import type { Ledger } from '../shared/ports/ledger.js';
import type { TrafficRouter, TrafficSplit } from '../shared/ports/traffic-router.js';
import type { ShiftTrafficInput } from './input.js';

export interface ShiftTrafficOutput {
  readonly action: ShiftTrafficInput['action'];
  readonly environment: string;
  /** The step's index and its traffic share (the strategy's steps[step]); null for complete. */
  readonly step: number | null;
  readonly percent: number;
  /** Who serves after the action, as the router reports it. */
  readonly split: TrafficSplit;
  /** When the traffic moved: the start of the step's analysis window. */
  readonly at: string;
  readonly ledgerSeq: number;
}

/**
 * shift-traffic: moves an environment's traffic between the serving release (the baseline) and the
 * canary the Deployer started beside it, then records it in the ledger. It returns at once; the
 * state machine's Wait state lets the step's traffic accumulate, so no Lambda blocks.
 *
 * Input:  { executionArn, stateName, pipeline, environment, action, release, step?, reason? }
 *   shift:    the canary takes strategy.steps[step] percent of new requests
 *   abort:    the baseline takes 100% again and the canary is stopped (reason recorded)
 *   complete: the canary takes 100% and becomes the environment's release
 * Output: { action, environment, step, percent, split, at, ledgerSeq }
 *
 * Idempotent: the router's calls are, and the ledger entry is keyed on execution, state,
 * environment and step, so a re-invoked task records nothing twice.
 */
export async function shiftTraffic(
  input: ShiftTrafficInput,
  ports: {
    readonly config: TollgateConfig;
    readonly traffic: TrafficRouter;
    readonly ledger: Ledger;
    readonly clock: Clock;
  },
): Promise<ShiftTrafficOutput> {
  const env = targetEnvironment(ports.config, input.pipeline, input.environment);
  if (env.strategy.type === 'all-at-once') {
    throw new InvalidInputError(`environment "${env.name}" deploys all at once; it has no canary steps`);
  }
  const step = input.step ?? null;
  if (step !== null && step >= env.strategy.steps.length) {
    throw new InvalidInputError(
      `step ${step} is past the last of ${env.strategy.steps.length} steps of environment "${env.name}"`,
    );
  }
  const target = { pipeline: input.pipeline, environment: env.name, canaryVersion: input.release.version };
  const at = ports.clock.now().toISOString();
  let split: TrafficSplit;
  let percent: number;
  switch (input.action) {
    case 'shift':
      percent = env.strategy.steps[step!]!;
      split = await ports.traffic.shift({ ...target, percent });
      break;
    case 'abort':
      percent = 0;
      split = await ports.traffic.abort({ ...target, reason: input.reason! });
      break;
    case 'complete':
      percent = 100;
      split = await ports.traffic.complete(target);
      break;
  }
  const { seq } = await ports.ledger.append({
    kind: 'canary-traffic',
    pipeline: input.pipeline,
    at,
    executionArn: input.executionArn,
    environment: env.name,
    releaseVersion: input.release.version,
    actor: 'tollgate',
    data: { action: input.action, step, percent, split, ...(input.reason ? { reason: input.reason } : {}) },
    idempotencyKey: `${idempotencyKey(input)}#${input.action}#${step ?? 'end'}`,
  });
  return { action: input.action, environment: env.name, step, percent, split, at, ledgerSeq: seq };
}
