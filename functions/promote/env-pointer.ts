import type { ReleaseRef } from '../shared/release.js';

/**
 * The mutable "what runs where" document: `envs/<pipeline>/<env>.json` in the ArtifactStore
 * (a versioned S3 object on AWS, so every past value stays recoverable).
 */
export interface EnvPointer extends ReleaseRef {
  readonly pipeline: string;
  readonly environment: string;
  /** When this release was promoted here (ISO 8601, from the Clock port). */
  readonly since: string;
  readonly executionArn: string;
  readonly stateName: string;
  /** What the environment ran before, one level deep (its own `previous` is dropped). */
  readonly previous: Omit<EnvPointer, 'previous'> | null;
}

export function envPointerKey(pipeline: string, environment: string): string {
  return `envs/${pipeline}/${environment}.json`;
}

export function releaseOf(pointer: Omit<EnvPointer, 'previous'>): ReleaseRef {
  const { version, digest, artifactKey, commit, imageDigest } = pointer;
  return { version, digest, artifactKey, commit, ...(imageDigest ? { imageDigest } : {}) };
}
