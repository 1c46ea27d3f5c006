import type { EnvironmentConfig, TollgateConfig } from '../shared/config/schema.js';
import { InvalidInputError } from '../shared/errors.js';

/**
 * The environment a task acts on, looked up in config. Environment names come from config, never
 * from the ASL, so an unknown one is bad input rather than something to default.
 */
export function targetEnvironment(
  config: TollgateConfig,
  pipeline: string,
  environment: string,
): EnvironmentConfig {
  if (pipeline !== config.name) {
    throw new InvalidInputError(
      `pipeline "${pipeline}" does not match the configured pipeline "${config.name}"`,
    );
  }
  const env = config.environments.find((e) => e.name === environment);
  if (!env) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new InvalidInputError(`environment "${environment}" is not in the config (known: ${known})`);
  }
  return env;
}

/**
 * execution ARN + state name (+ environment): the key that makes a re-invoked task repeat nothing.
 * The environment is part of it because per-environment states run once per Map iteration under
 * the same state name; without it, staging's promotion would be deduplicated as test's.
 */
export function idempotencyKey(input: {
  readonly executionArn: string;
  readonly stateName: string;
  readonly environment?: string;
}): string {
  return `${input.executionArn}#${input.stateName}${input.environment ? `#${input.environment}` : ''}`;
}
