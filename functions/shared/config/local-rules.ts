import { ConfigError } from '../errors.js';
import type { TollgateConfig } from './schema.js';
import { AWS_ONLY_SOURCES } from './strategy-schema.js';

/**
 * What the schema accepts but only the AWS stack can run: a local run (`tollgate up`, `tollgate
 * doctor` without `--aws`) refuses it before anything starts, instead of a canary step failing
 * mid-run because no CloudWatch is there to read.
 */
export function localConfigProblems(config: TollgateConfig): string[] {
  return config.environments.flatMap((env, e) =>
    env.strategy.type === 'all-at-once'
      ? []
      : env.strategy.analysis.flatMap((check, c) =>
          (AWS_ONLY_SOURCES as readonly string[]).includes(check.source)
            ? [
                `environments[${e}].strategy.analysis[${c}]: source "${check.source}" is AWS-only; a local run reads "requests" or "prometheus"`,
              ]
            : [],
        ),
  );
}

/** Throws one ConfigError line listing every problem localConfigProblems finds. */
export function assertRunsLocally(config: TollgateConfig, source = 'tollgate.config.ts'): void {
  const problems = localConfigProblems(config);
  if (problems.length)
    throw new ConfigError(`invalid config for a local run in ${source}: ${problems.join('; ')}`);
}
