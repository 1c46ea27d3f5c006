import type { ReleaseRef } from '../release.js';

type TrialState = 'STARTING' | 'READY' | 'FAILED';

export interface TrialRequest {
  readonly pipeline: string;
  readonly environment: string;
  /** The release to run, usually the one the environment served before this run. */
  readonly release: ReleaseRef;
  /** execution ARN + state name (+ environment); a repeated call returns the same trial. */
  readonly idempotencyKey: string;
}

export interface TrialStatus {
  readonly trialId: string;
  readonly state: TrialState;
  /** Where the trial answers once READY; nothing else routes traffic to it. */
  readonly baseUrl?: string;
  /** Set when FAILED: one line a person can act on. */
  readonly reason?: string;
}

/**
 * A release run once, beside the environment and against its database, without taking traffic:
 * the backward-compatibility check starts the previous release on the freshly migrated schema,
 * runs the smoke tests against it and stops it. Start/poll like a deploy, so no task blocks on a
 * start-up (on ECS that would be a one-off task of the previous task definition).
 */
export interface ReleaseTrials {
  start(request: TrialRequest): Promise<{ trialId: string }>;
  poll(trialId: string): Promise<TrialStatus>;
  /** Stops the trial; stopping one that is gone (or never started) is a success. */
  stop(trialId: string): Promise<void>;
}
