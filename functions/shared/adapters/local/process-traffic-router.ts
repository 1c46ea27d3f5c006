import { InvalidInputError } from '../../errors.js';
import type { TrafficRouter, TrafficSplit } from '../../ports/traffic-router.js';
import type { ProcessDeployer } from './process-deployer.js';

/**
 * The local TrafficRouter: the weights live in the environment's proxy, which the ProcessDeployer
 * owns together with the canary process it started (DeployRequest.mode 'canary'); the deployer
 * records every change in state.json, so a restarted runtime serves the same split.
 */
export class ProcessTrafficRouter implements TrafficRouter {
  constructor(
    private readonly deployer: Pick<
      ProcessDeployer,
      'shiftCanary' | 'abortCanary' | 'completeCanary' | 'split'
    >,
  ) {}

  shift(r: {
    pipeline: string;
    environment: string;
    canaryVersion: string;
    percent: number;
  }): Promise<TrafficSplit> {
    return this.deployer.shiftCanary(r.pipeline, r.environment, version(r.canaryVersion), r.percent);
  }

  async abort(r: {
    pipeline: string;
    environment: string;
    canaryVersion: string;
    reason: string;
  }): Promise<TrafficSplit> {
    if (!r.reason.trim()) throw new InvalidInputError('an abort needs a reason; got an empty string');
    const split = await this.deployer.abortCanary(
      r.pipeline,
      r.environment,
      version(r.canaryVersion),
      r.reason,
    );
    return split ?? { canaryPercent: 0 };
  }

  complete(r: { pipeline: string; environment: string; canaryVersion: string }): Promise<TrafficSplit> {
    return this.deployer.completeCanary(r.pipeline, r.environment, version(r.canaryVersion));
  }

  split(pipeline: string, environment: string): Promise<TrafficSplit | undefined> {
    return this.deployer.split(pipeline, environment);
  }
}

function version(canaryVersion: string): string {
  if (!canaryVersion.trim())
    throw new InvalidInputError('canaryVersion must be a release version; got an empty string');
  return canaryVersion;
}
