import { ConfigError } from '../errors.js';
import type { TollgateConfig } from './schema.js';

/**
 * What the schema accepts but only a local run can do (the mirror of local-rules.ts): test stages
 * run as child processes in the release's unpacked tree, and the AWS stack has no runner for them
 * yet (a CodeBuild project per pipeline running the release's tree is the plan), so the stack
 * refuses them at synth instead of deploying a pipeline whose test stage cannot run.
 */
function awsConfigProblems(config: TollgateConfig): string[] {
  return config.environments.flatMap((env, e) =>
    env.tests.length
      ? [
          `environments[${e}].tests: test stages run only on the local runtime (tollgate up) for now; remove them from the config the stack deploys`,
        ]
      : [],
  );
}

/** Throws one ConfigError line listing every problem awsConfigProblems finds. */
export function assertRunsOnAws(config: TollgateConfig, source = 'tollgate.config.ts'): void {
  const problems = awsConfigProblems(config);
  if (problems.length)
    throw new ConfigError(`invalid config for the AWS stack in ${source}: ${problems.join('; ')}`);
}
