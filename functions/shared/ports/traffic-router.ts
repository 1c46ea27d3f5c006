/** Who serves an environment now: the baseline, and the canary with its share of new requests. */
export interface TrafficSplit {
  /** The version the environment's release record names (serves `100 - canaryPercent`). */
  readonly baseline?: string;
  /** The version on trial beside it, if a canary is running. */
  readonly canary?: string;
  /** 0..100: the share of new requests (new clients, when sticky) the canary receives. */
  readonly canaryPercent: number;
}

/**
 * Moves traffic between an environment's serving release and a canary started beside it by the
 * Deployer (`DeployRequest.mode: 'canary'`). The local runtime's proxy weights requests; on AWS a
 * listener rule weights target groups. Every call is idempotent, so a retried task is harmless.
 */
export interface TrafficRouter {
  /** Sends `percent` (0..100) of new requests to the canary, the rest to the baseline. Idempotent. */
  shift(r: {
    readonly pipeline: string;
    readonly environment: string;
    readonly canaryVersion: string;
    readonly percent: number;
  }): Promise<TrafficSplit>;
  /** Baseline takes 100% again, the canary is stopped. Idempotent; returns what serves now. */
  abort(r: {
    readonly pipeline: string;
    readonly environment: string;
    readonly canaryVersion: string;
    readonly reason: string;
  }): Promise<TrafficSplit>;
  /** Canary takes 100% and becomes the environment's release; the old baseline is stopped. Idempotent. */
  complete(r: {
    readonly pipeline: string;
    readonly environment: string;
    readonly canaryVersion: string;
  }): Promise<TrafficSplit>;
  /** What serves the environment now; undefined when nothing has been deployed there. */
  split(pipeline: string, environment: string): Promise<TrafficSplit | undefined>;
}
