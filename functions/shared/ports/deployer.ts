import type { ReleaseRef } from '../release.js';

export type DeploymentState = 'IN_PROGRESS' | 'HEALTHY' | 'FAILED';

export interface DeployRequest {
  readonly pipeline: string;
  readonly environment: string;
  readonly release: ReleaseRef;
  /** execution ARN + state name; a repeated call with the same key returns the same deployment. */
  readonly idempotencyKey: string;
  /**
   * `replace` (default): the new release takes over once healthy. `canary`: it starts beside the
   * serving release with 0% of the traffic and serves only what TrafficRouter.shift gives it; with
   * nothing serving yet (first deploy) it behaves as `replace`.
   */
  readonly mode?: 'replace' | 'canary';
}

export interface DeploymentStatus {
  readonly deploymentId: string;
  readonly state: DeploymentState;
  readonly reason?: string;
  /** What is serving now: on a failed rollout, still the previous release. */
  readonly serving?: string;
}

/** Rollback with no Tollgate release to return to: back to what ran before `failedVersion`. */
export interface RevertRequest {
  readonly pipeline: string;
  readonly environment: string;
  /** The release whose rollout is undone. */
  readonly failedVersion: string;
  /** execution ARN + state name; a repeated call returns the same deployment. */
  readonly idempotencyKey: string;
}

/**
 * Runs a release in an environment (an ECS service on AWS, a local process behind a local proxy).
 * A rollout never takes the serving release down before the new one is healthy.
 */
export interface Deployer {
  start(request: DeployRequest): Promise<{ deploymentId: string }>;
  poll(deploymentId: string): Promise<DeploymentStatus>;
  /** The release version serving in the environment, if any. */
  current(pipeline: string, environment: string): Promise<string | undefined>;
}
